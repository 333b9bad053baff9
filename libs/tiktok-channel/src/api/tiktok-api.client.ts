import { TiktokApiError } from './tiktok-api.error';
import {
  MEDIA_DOWNLOAD_ENDPOINT,
  mediaTooLarge,
  parseDownloadUrl,
  readDownload,
} from './tiktok-api.download';
import { readEnvelope } from './tiktok-api.envelope';
import {
  isRecord,
  parseBusinessVideoPage,
  parseCapabilities,
  parseConversationPage,
  parseTokenGrant,
  parseTokenInfo,
  readAccountType,
  readCallbackUrl,
  readId,
  readRecords,
  readString,
  requireField,
  WEBHOOK_EVENT_TYPE,
  type JsonObject,
} from './tiktok-api.parse';
import type {
  BusinessVideoPage,
  CapabilitiesInput,
  ConversationPage,
  ConversationRef,
  DownloadedMedia,
  DownloadMediaOptions,
  ListBusinessVideosInput,
  ListConversationsInput,
  MediaDownloadUrl,
  MediaDownloadUrlInput,
  MessageHistory,
  SendImageInput,
  SendSenderActionInput,
  SendSharePostInput,
  SendTextInput,
  SentMessage,
  TiktokApiClientOptions,
  TiktokAppCheck,
  TiktokBusinessProfile,
  TiktokCapabilities,
  TiktokTokenGrant,
  TiktokTokenInfo,
  UploadedMedia,
  UploadImageInput,
  WebhookRegistration,
} from './tiktok-api.types';
import { TiktokHttp, type HttpMethod } from './tiktok-http';

const DEFAULT_TIMEOUT_MS = 10_000;
const PROFILE_FIELDS = ['username', 'display_name', 'profile_image', 'is_business_account'];
// Field names are *unsure* in the wire contract (seen in integrations, not confirmed by TikTok's
// reference); the parser tolerates any of them missing.
const VIDEO_FIELDS = ['item_id', 'share_url', 'embed_url'];
const SEND_PATH = 'business/message/send/';
/** Request fields whose values TikTok might echo back in an error message; they are masked there. */
const SENSITIVE_FIELDS = new Set([
  'client_secret',
  'secret',
  'access_token',
  'refresh_token',
  'auth_code',
]);

interface RequestOptions {
  query?: Record<string, string>;
  body?: JsonObject;
  /** Sent as multipart/form-data instead of a JSON body; axios writes the boundary. */
  form?: FormData;
  /** Sent as `Access-Token`; app-level calls (tokens, webhooks) authenticate in the body instead. */
  accessToken?: string;
}

/**
 * One method per TikTok API for Business endpoint the channel uses. Every failure surfaces as a
 * `TiktokApiError` whose class tells the caller how to react; nothing here retries or logs.
 */
export class TiktokApiClient {
  private readonly baseUrl: URL;
  private readonly appId: string;
  private readonly appSecret: string;
  private readonly timeoutMs: number;
  private readonly http: TiktokHttp;

  constructor(options: TiktokApiClientOptions) {
    this.baseUrl = parseBaseUrl(options.apiBaseUrl);
    if (!options.appId) throw new Error('TiktokApiClient: appId is required');
    if (!options.appSecret) throw new Error('TiktokApiClient: appSecret is required');
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new Error('TiktokApiClient: timeoutMs must be a positive number of milliseconds');
    }
    this.appId = options.appId;
    this.appSecret = options.appSecret;
    this.timeoutMs = timeoutMs;
    this.http = new TiktokHttp(options.http);
  }

  async exchangeAuthCode(input: {
    authCode: string;
    redirectUri: string;
  }): Promise<TiktokTokenGrant> {
    const path = 'tt_user/oauth2/token/';
    const data = await this.request('POST', path, {
      body: {
        client_id: this.appId,
        client_secret: this.appSecret,
        grant_type: 'authorization_code',
        auth_code: input.authCode,
        redirect_uri: input.redirectUri,
      },
    });
    return parseTokenGrant(data, path);
  }

  async refreshAccessToken(refreshToken: string): Promise<TiktokTokenGrant> {
    const path = 'tt_user/oauth2/refresh_token/';
    const data = await this.request('POST', path, {
      body: {
        client_id: this.appId,
        client_secret: this.appSecret,
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      },
    });
    return parseTokenGrant(data, path);
  }

  async revokeAccessToken(accessToken: string): Promise<void> {
    await this.request('POST', 'tt_user/oauth2/revoke/', {
      body: { client_id: this.appId, client_secret: this.appSecret, access_token: accessToken },
    });
  }

  /** Which app, scopes and business a token belongs to; the token goes in the body. */
  async getTokenInfo(accessToken: string): Promise<TiktokTokenInfo> {
    const path = 'tt_user/token_info/get/';
    if (!accessToken) throw noAccessToken(path);
    const data = await this.request('POST', path, {
      body: { app_id: this.appId, access_token: accessToken },
    });
    return parseTokenInfo(data, path);
  }

  async getBusinessProfile(
    accessToken: string,
    businessId: string,
  ): Promise<TiktokBusinessProfile> {
    const data = await this.request('GET', 'business/get/', {
      accessToken,
      query: { business_id: businessId, fields: JSON.stringify(PROFILE_FIELDS) },
    });
    const username = readString(data, 'username') ?? '';
    const profileImageUrl = readString(data, 'profile_image');
    return {
      username,
      displayName: readString(data, 'display_name') || username,
      ...(profileImageUrl ? { profileImageUrl } : {}),
      accountType: readAccountType(data),
    };
  }

  /** The business's own posts: the only ones `sendSharePost` may share. */
  async listBusinessVideos(
    accessToken: string,
    input: ListBusinessVideosInput,
  ): Promise<BusinessVideoPage> {
    const data = await this.request('GET', 'business/video/list/', {
      accessToken,
      query: definedOnly({
        business_id: input.businessId,
        fields: JSON.stringify(VIDEO_FIELDS),
        cursor: input.cursor,
        max_count: input.maxCount?.toString(),
      }),
    });
    return parseBusinessVideoPage(data);
  }

  async sendText(accessToken: string, input: SendTextInput): Promise<SentMessage> {
    const data = await this.send(accessToken, input, {
      message_type: 'TEXT',
      text: { body: input.text },
      ...(input.referencedMessageId !== undefined
        ? { referenced_message_info: { referenced_message_id: input.referencedMessageId } }
        : {}),
    });
    return sentMessage(data);
  }

  async sendImage(accessToken: string, input: SendImageInput): Promise<SentMessage> {
    const data = await this.send(accessToken, input, {
      message_type: 'IMAGE',
      image: { media_id: input.mediaId },
    });
    return sentMessage(data);
  }

  async sendSharePost(accessToken: string, input: SendSharePostInput): Promise<SentMessage> {
    const data = await this.send(accessToken, input, {
      message_type: 'SHARE_POST',
      share_post: { item_id: input.itemId },
    });
    return sentMessage(data);
  }

  /** TikTok answers sender actions without a message id, and there is no message to match later. */
  async sendSenderAction(accessToken: string, input: SendSenderActionInput): Promise<void> {
    await this.send(accessToken, input, {
      message_type: 'SENDER_ACTION',
      sender_action: input.action,
    });
  }

  /** Image sending is region-limited: ask before offering it. */
  async getCapabilities(
    accessToken: string,
    input: CapabilitiesInput,
  ): Promise<TiktokCapabilities> {
    const data = await this.request('GET', 'business/message/capabilities/get/', {
      accessToken,
      query: definedOnly({
        business_id: input.businessId,
        capability_types: JSON.stringify(['IMAGE_SEND']),
        conversation_id: input.conversationId,
        conversation_type: input.conversationType,
      }),
    });
    return parseCapabilities(data);
  }

  async listConversations(
    accessToken: string,
    input: ListConversationsInput,
  ): Promise<ConversationPage> {
    const data = await this.request('GET', 'business/message/conversation/list/', {
      accessToken,
      query: definedOnly({
        business_id: input.businessId,
        conversation_type: input.conversationType,
        limit: input.limit?.toString(),
        cursor: input.cursor,
      }),
    });
    return parseConversationPage(data);
  }

  /** Only the 20 latest messages, with no paging: TikTok offers nothing further back. */
  async listMessages(accessToken: string, input: ConversationRef): Promise<MessageHistory> {
    const data = await this.request('GET', 'business/message/content/list/', {
      accessToken,
      query: { business_id: input.businessId, conversation_id: input.conversationId },
    });
    return {
      messages: readRecords(data, 'messages'),
      participants: readRecords(data, 'participants'),
    };
  }

  /** JPG or PNG up to 3 MB; the media id it returns is valid for 30 days. */
  async uploadImage(accessToken: string, input: UploadImageInput): Promise<UploadedMedia> {
    const path = 'business/message/media/upload/';
    const form = new FormData();
    form.append('business_id', input.businessId);
    form.append('media_type', 'IMAGE');
    form.append('file', new Blob([input.bytes], { type: input.contentType }), input.fileName);
    const data = await this.request('POST', path, { accessToken, form });
    return { mediaId: requireField(data, 'media_id', path) };
  }

  /** The URL lives 24 h and is fetched with `downloadMedia`. */
  async getMediaDownloadUrl(
    accessToken: string,
    input: MediaDownloadUrlInput,
  ): Promise<MediaDownloadUrl> {
    const path = 'business/message/media/download/';
    const data = await this.request('POST', path, {
      accessToken,
      body: {
        business_id: input.businessId,
        conversation_id: input.conversationId,
        message_id: input.messageId,
        media_id: input.mediaId,
        media_type: input.mediaType,
      },
    });
    return { downloadUrl: requireField(data, 'download_url', path) };
  }

  /**
   * Streams media from a URL `getMediaDownloadUrl` gave. That URL is outside the API base and
   * authenticates with `x-user` rather than `Access-Token`; it is still never redirected and
   * always under a deadline, and the body is cut off at `maxBytes`.
   */
  async downloadMedia(
    accessToken: string,
    downloadUrl: string,
    options: DownloadMediaOptions,
  ): Promise<DownloadedMedia> {
    if (!accessToken) throw noAccessToken(MEDIA_DOWNLOAD_ENDPOINT);
    const { maxBytes } = options;
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
      throw invalidOption('maxBytes must be a positive whole number of bytes');
    }
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw invalidOption('timeoutMs must be a positive number of milliseconds');
    }
    const response = await this.http.open(
      {
        method: 'GET',
        url: parseDownloadUrl(downloadUrl),
        endpoint: MEDIA_DOWNLOAD_ENDPOINT,
        // Identity, so the cap counts the bytes the consumer gets (media is compressed anyway).
        headers: { Accept: '*/*', 'Accept-Encoding': 'identity', 'x-user': accessToken },
        timeoutMs,
      },
      { maxBytes, exceeded: () => mediaTooLarge(maxBytes) },
    );
    return readDownload(response, maxBytes);
  }

  async updateWebhook(callbackUrl: string): Promise<void> {
    await this.request('POST', 'business/webhook/update/', {
      body: {
        app_id: this.appId,
        secret: this.appSecret,
        event_type: WEBHOOK_EVENT_TYPE,
        callback_url: callbackUrl,
      },
    });
  }

  async getWebhook(): Promise<WebhookRegistration> {
    return (await this.checkApp()).webhook;
  }

  /**
   * `webhook/list/` with the app's id and secret: it succeeds only with valid app credentials, and
   * its answer carries TikTok's clock. Needs no account and changes nothing.
   */
  async checkApp(): Promise<TiktokAppCheck> {
    const sentAt = new Date();
    const { data, headers } = await this.exchange('GET', 'business/webhook/list/', {
      query: { app_id: this.appId, secret: this.appSecret, event_type: WEBHOOK_EVENT_TYPE },
    });
    const receivedAt = new Date();
    const date = headers['date'] ? new Date(headers['date']) : null;
    return {
      webhook: { callbackUrl: readCallbackUrl(data) },
      serverTime: date && !Number.isNaN(date.getTime()) ? date : null,
      sentAt,
      receivedAt,
    };
  }

  async deleteWebhook(): Promise<void> {
    await this.request('POST', 'business/webhook/delete/', {
      body: { app_id: this.appId, secret: this.appSecret, event_type: WEBHOOK_EVENT_TYPE },
    });
  }

  /** The one way messages go out; the recipient is always a conversation, never a user id. */
  private send(accessToken: string, to: ConversationRef, content: JsonObject): Promise<JsonObject> {
    return this.request('POST', SEND_PATH, {
      accessToken,
      body: {
        business_id: to.businessId,
        recipient_type: 'CONVERSATION',
        recipient: to.conversationId,
        ...content,
      },
    });
  }

  /** Resolves with the envelope's `data` (an empty object when absent) or throws a classified error. */
  private async request(
    method: HttpMethod,
    path: string,
    options: RequestOptions = {},
  ): Promise<JsonObject> {
    return (await this.exchange(method, path, options)).data;
  }

  /** `request`, with the answer's headers (lower-case names). */
  private async exchange(
    method: HttpMethod,
    path: string,
    options: RequestOptions = {},
  ): Promise<{ data: JsonObject; headers: Record<string, string> }> {
    if (path.startsWith('/') || !path.endsWith('/')) {
      // A leading slash would drop the `/open_api/v1.3/` base; a missing trailing one gets a 404.
      throw new TiktokApiError({
        errorClass: 'bug',
        endpoint: path,
        message: `Invalid TikTok path ${path}`,
      });
    }
    if (options.accessToken === '') throw noAccessToken(path);

    const url = new URL(path, this.baseUrl);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      url.searchParams.set(name, value);
    }
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.accessToken !== undefined) headers['Access-Token'] = options.accessToken;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';

    const response = await this.http.send({
      method,
      url,
      endpoint: path,
      headers,
      body: options.form ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
      timeoutMs: this.timeoutMs,
    });
    const data = readEnvelope(response, {
      endpoint: path,
      pathname: url.pathname,
      secrets: this.secretsOf(options),
      authenticated: options.accessToken !== undefined,
    });
    return { data, headers: response.headers };
  }

  private secretsOf(options: RequestOptions): string[] {
    const secrets = [this.appSecret, options.accessToken ?? ''];
    for (const fields of [options.body ?? {}, options.query ?? {}]) {
      for (const [name, value] of Object.entries(fields)) {
        if (SENSITIVE_FIELDS.has(name) && typeof value === 'string') secrets.push(value);
      }
    }
    return secrets;
  }
}

function sentMessage(data: JsonObject): SentMessage {
  const message = data['message'];
  const messageId = isRecord(message) ? readId(message, 'message_id') : undefined;
  if (!messageId) {
    // TikTok said code 0, so the message most likely went out: a retry would send it twice.
    throw new TiktokApiError({
      errorClass: 'invalid_request',
      endpoint: SEND_PATH,
      message: `TikTok accepted ${SEND_PATH} but returned no message.message_id; not retrying to avoid a duplicate`,
    });
  }
  return { messageId };
}

function noAccessToken(path: string): TiktokApiError {
  return new TiktokApiError({
    errorClass: 'bug',
    endpoint: path,
    message: `No access token for ${path}`,
  });
}

function invalidOption(message: string): TiktokApiError {
  return new TiktokApiError({
    errorClass: 'bug',
    endpoint: MEDIA_DOWNLOAD_ENDPOINT,
    message: `downloadMedia: ${message}`,
  });
}

/** Optional inputs stay out of the query rather than arriving as "undefined". */
function definedOnly(query: Record<string, string | undefined>): Record<string, string> {
  const defined: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) defined[name] = value;
  }
  return defined;
}

function parseBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('TiktokApiClient: apiBaseUrl is not an absolute URL');
  }
  if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
  url.search = '';
  url.hash = '';
  return url;
}
