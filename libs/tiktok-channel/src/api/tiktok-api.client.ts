import { classifyTiktokCode, TiktokApiError } from './tiktok-api.error';
import type {
  SendTextInput,
  SentMessage,
  TiktokAccountType,
  TiktokApiClientOptions,
  TiktokBusinessProfile,
  TiktokErrorClass,
  TiktokTokenGrant,
  WebhookRegistration,
} from './tiktok-api.types';

const DEFAULT_TIMEOUT_MS = 10_000;
const WEBHOOK_EVENT_TYPE = 'DIRECT_MESSAGE';
const PROFILE_FIELDS = ['username', 'display_name', 'profile_image', 'is_business_account'];
/** Request fields whose values TikTok might echo back in an error message; they are masked there. */
const SENSITIVE_FIELDS = new Set([
  'client_secret',
  'secret',
  'access_token',
  'refresh_token',
  'auth_code',
]);
const MAX_REMOTE_MESSAGE_LENGTH = 300;

type HttpMethod = 'GET' | 'POST';
type JsonObject = Record<string, unknown>;

interface RequestOptions {
  query?: Record<string, string>;
  body?: JsonObject;
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

  async sendText(accessToken: string, input: SendTextInput): Promise<SentMessage> {
    const path = 'business/message/send/';
    const data = await this.request('POST', path, {
      accessToken,
      body: {
        business_id: input.businessId,
        recipient_type: 'CONVERSATION',
        recipient: input.conversationId,
        message_type: 'TEXT',
        text: { body: input.text },
        ...(input.referencedMessageId !== undefined
          ? { referenced_message_info: { referenced_message_id: input.referencedMessageId } }
          : {}),
      },
    });
    const message = data['message'];
    const messageId = isRecord(message) ? readId(message, 'message_id') : undefined;
    if (!messageId) {
      // TikTok said code 0, so the message most likely went out: a retry would send it twice.
      throw new TiktokApiError({
        errorClass: 'invalid_request',
        endpoint: path,
        message: `TikTok accepted ${path} but returned no message.message_id; not retrying to avoid a duplicate`,
      });
    }
    return { messageId };
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
    const data = await this.request('GET', 'business/webhook/list/', {
      query: { app_id: this.appId, secret: this.appSecret, event_type: WEBHOOK_EVENT_TYPE },
    });
    return { callbackUrl: readCallbackUrl(data) };
  }

  /** Resolves with the envelope's `data` (an empty object when absent) or throws a classified error. */
  private async request(
    method: HttpMethod,
    path: string,
    options: RequestOptions = {},
  ): Promise<JsonObject> {
    if (path.startsWith('/') || !path.endsWith('/')) {
      // A leading slash would drop the `/open_api/v1.3/` base; a missing trailing one gets a 404.
      throw new TiktokApiError({
        errorClass: 'bug',
        endpoint: path,
        message: `Invalid TikTok path ${path}`,
      });
    }
    if (options.accessToken === '') {
      throw new TiktokApiError({
        errorClass: 'bug',
        endpoint: path,
        message: `No access token for ${path}`,
      });
    }

    const url = new URL(path, this.baseUrl);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      url.searchParams.set(name, value);
    }
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.accessToken !== undefined) headers['Access-Token'] = options.accessToken;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    let status: number;
    let text: string;
    let headerRequestId: string | undefined;
    try {
      const response = await fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: controller.signal,
        // Following a redirect would forward the Access-Token header to whatever host it names.
        redirect: 'manual',
      });
      status = response.status;
      headerRequestId = response.headers.get('x-tt-logid') ?? undefined;
      // Still under the timer: a server that sends headers and then stalls is a timeout too.
      text = await response.text();
    } catch (error) {
      const message = controller.signal.aborted
        ? `TikTok request to ${path} timed out after ${this.timeoutMs} ms`
        : `TikTok request to ${path} failed before a response (${describeNetworkError(error)})`;
      throw new TiktokApiError({ errorClass: 'transient', endpoint: path, message });
    } finally {
      clearTimeout(timer);
    }

    const envelope = parseJsonObject(text);
    const code = envelope ? readCode(envelope) : undefined;
    const requestId = (envelope && readString(envelope, 'request_id')) || headerRequestId;
    const remoteMessage = envelope ? this.remoteMessage(envelope, options) : '';

    if (status < 200 || status > 299) {
      throw new TiktokApiError({
        errorClass: classifyHttpStatus(status, code),
        endpoint: path,
        httpStatus: status,
        code,
        requestId,
        message:
          status === 404
            ? `TikTok answered HTTP 404 for ${url.pathname}: check the path (TikTok paths must end with "/")`
            : `TikTok answered HTTP ${status} for ${path}${code !== undefined ? ` with code ${code}` : ''}${remoteMessage}`,
      });
    }
    if (!envelope || code === undefined) {
      throw new TiktokApiError({
        errorClass: 'transient',
        endpoint: path,
        httpStatus: status,
        requestId,
        message: `TikTok answered ${path} with HTTP ${status} but not with a JSON envelope`,
      });
    }
    if (code !== 0) {
      throw new TiktokApiError({
        errorClass: classifyTiktokCode(code),
        endpoint: path,
        httpStatus: status,
        code,
        requestId,
        message: `TikTok refused ${path} with code ${code}${remoteMessage}`,
      });
    }
    const data = envelope['data'];
    return isRecord(data) ? data : {};
  }

  /** TikTok's own explanation, masked because it may quote the parameters it rejected. */
  private remoteMessage(envelope: JsonObject, options: RequestOptions): string {
    const raw = readString(envelope, 'message');
    if (!raw) return '';
    const secrets = [this.appSecret, options.accessToken ?? ''];
    for (const fields of [options.body ?? {}, options.query ?? {}]) {
      for (const [name, value] of Object.entries(fields)) {
        if (SENSITIVE_FIELDS.has(name) && typeof value === 'string') secrets.push(value);
      }
    }
    let masked = raw;
    for (const secret of secrets) {
      if (secret) masked = masked.split(secret).join('[redacted]');
    }
    if (masked.length > MAX_REMOTE_MESSAGE_LENGTH) {
      masked = `${masked.slice(0, MAX_REMOTE_MESSAGE_LENGTH)}…`;
    }
    return `: ${masked}`;
  }
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

function classifyHttpStatus(status: number, code: number | undefined): TiktokErrorClass {
  if (status >= 500) return 'transient';
  if (status === 429) return 'rate_limited';
  if (status === 404) return 'invalid_request';
  // An error status with a TikTok code is more specific than the status (e.g. 401 + 40105).
  if (code !== undefined && code !== 0) return classifyTiktokCode(code);
  return 'invalid_request';
}

/** Only a code or a name: messages of lower layers may quote the URL, and that can hold the secret. */
function describeNetworkError(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (isRecord(cause) && typeof cause['code'] === 'string') return cause['code'];
  if (cause instanceof Error) return cause.name;
  return error instanceof Error ? error.name : 'unknown error';
}

function parseTokenGrant(data: JsonObject, endpoint: string): TiktokTokenGrant {
  const accessToken = readString(data, 'access_token');
  const refreshToken = readString(data, 'refresh_token');
  const openId = readString(data, 'open_id');
  const expiresIn = readNumber(data, 'expires_in');
  const refreshTokenExpiresIn = readNumber(data, 'refresh_token_expires_in');
  if (
    !accessToken ||
    !refreshToken ||
    !openId ||
    expiresIn === undefined ||
    refreshTokenExpiresIn === undefined
  ) {
    const fields = {
      access_token: accessToken,
      refresh_token: refreshToken,
      open_id: openId,
      expires_in: expiresIn,
      refresh_token_expires_in: refreshTokenExpiresIn,
    };
    const missing = Object.entries(fields)
      .filter(([, value]) => value === undefined || value === '')
      .map(([name]) => name);
    throw new TiktokApiError({
      errorClass: 'invalid_request',
      endpoint,
      message: `TikTok's token response from ${endpoint} is missing ${missing.join(', ')}`,
    });
  }
  return {
    accessToken,
    refreshToken,
    expiresIn,
    refreshTokenExpiresIn,
    openId,
    scopes: readScopes(data['scope']),
  };
}

function readScopes(value: unknown): string[] {
  const parts = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : [];
  return parts
    .filter((part): part is string => typeof part === 'string')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

function readAccountType(data: JsonObject): TiktokAccountType {
  const flag = data['is_business_account'];
  if (flag === true) return 'business';
  if (flag === false) return 'personal';
  return 'unknown';
}

/** The list call has been seen answering with a single object and with lists under two names. */
function readCallbackUrl(data: JsonObject): string | null {
  const direct = readString(data, 'callback_url');
  if (direct) return direct;
  for (const listName of ['list', 'callbacks']) {
    const entries = data[listName];
    if (!Array.isArray(entries)) continue;
    const candidates = entries
      .filter(isRecord)
      .filter((entry) => readString(entry, 'callback_url'));
    const match =
      candidates.find((entry) => isOurEventType(entry['event_type'])) ??
      candidates.find((entry) => entry['event_type'] === undefined);
    if (match) return readString(match, 'callback_url') ?? null;
  }
  return null;
}

function isOurEventType(value: unknown): boolean {
  return typeof value === 'string' && value.toUpperCase() === WEBHOOK_EVENT_TYPE;
}

function parseJsonObject(text: string): JsonObject | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function readCode(envelope: JsonObject): number | undefined {
  const code = readNumber(envelope, 'code');
  return code !== undefined && Number.isInteger(code) ? code : undefined;
}

function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readString(record: JsonObject, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}

/** Ids are strings on the wire, but a numeric id must not be mistaken for a missing one. */
function readId(record: JsonObject, key: string): string | undefined {
  const value = record[key];
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function readNumber(record: JsonObject, key: string): number | undefined {
  const value = record[key];
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}
