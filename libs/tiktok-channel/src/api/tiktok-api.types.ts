import type { AxiosInstance } from 'axios';
import type { Readable } from 'node:stream';

/**
 * Typed results of the TikTok API for Business calls the channel makes.
 * Wire names (snake_case) stay inside the client; everything here is what the rest of the library uses.
 */

export interface TiktokApiClientOptions {
  /** Base of the API for Business, ending in `/open_api/v1.3/` (a missing trailing slash is added). */
  apiBaseUrl: string;
  /** The TikTok app id: `client_id` on token calls, `app_id` on webhook calls. */
  appId: string;
  appSecret: string;
  /**
   * Per-request timeout, up to the last byte of the body; a timeout is a transient error.
   * Default 10 000 ms.
   */
  timeoutMs?: number;
  /**
   * The host's axios instance (for its agents and interceptors). Settings the client depends on
   * (timeout, redirects, status handling, parsing, proxy) are set on every request, so the
   * instance's defaults cannot change them. Default: a fresh `axios.create()`.
   */
  http?: AxiosInstance;
}

/** What a token exchange or a refresh returns. Lifetimes are taken from each response, never assumed. */
export interface TiktokTokenGrant {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  /** Seconds until the refresh token expires. */
  refreshTokenExpiresIn: number;
  /** The `open_id`: the business_id every later call uses. */
  openId: string;
  /** Granted scopes, split from TikTok's comma-separated string. */
  scopes: string[];
}

export type TiktokAccountType = 'business' | 'personal' | 'unknown';

export interface TiktokBusinessProfile {
  username: string;
  displayName: string;
  profileImageUrl?: string;
  accountType: TiktokAccountType;
}

export interface SendTextInput {
  businessId: string;
  /** TikTok's conversation_id: messages are addressed to conversations, never to user ids. */
  conversationId: string;
  text: string;
  referencedMessageId?: string;
}

export interface SentMessage {
  messageId: string;
}

/** Where a message goes: TikTok addresses conversations, never user ids. */
export interface ConversationRef {
  businessId: string;
  conversationId: string;
}

export interface SendImageInput extends ConversationRef {
  /** From `uploadImage`; valid 30 days. */
  mediaId: string;
}

export interface SendSharePostInput extends ConversationRef {
  /** One of the business's own posts (see `listBusinessVideos`). */
  itemId: string;
}

export type TiktokSenderAction = 'TYPING' | 'MARK_READ';

export interface SendSenderActionInput extends ConversationRef {
  action: TiktokSenderAction;
}

export interface UploadImageInput {
  businessId: string;
  /** JPG or PNG, at most 3 MB (TikTok refuses others with 40907/40908: `invalid_media`). */
  bytes: Buffer;
  fileName: string;
  /** e.g. `image/jpeg` or `image/png`; sent as the file part's content type. */
  contentType: string;
}

export interface UploadedMedia {
  mediaId: string;
}

export type TiktokMediaType = 'IMAGE' | 'VIDEO';

export interface MediaDownloadUrlInput extends ConversationRef {
  messageId: string;
  mediaId: string;
  mediaType: TiktokMediaType;
}

export interface MediaDownloadUrl {
  /** Valid 24 h; fetch it with `downloadMedia`, which sends the `x-user` header it needs. */
  downloadUrl: string;
}

export interface DownloadMediaOptions {
  /**
   * Cap on the body. A larger announced Content-Length fails before reading; a body that grows
   * past it is cut off and the stream fails with a `TiktokApiError` of class `invalid_media`.
   */
  maxBytes: number;
  /**
   * Deadline for the whole download, including the time the consumer takes to read it.
   * Default: the client's `timeoutMs`.
   */
  timeoutMs?: number;
}

export interface DownloadedMedia {
  /**
   * The body. It fails with a `TiktokApiError` (never another error) when the cap is passed
   * (`invalid_media`), the deadline passes or the connection breaks (`transient`). Read it or
   * destroy it: until then it holds a connection.
   */
  stream: Readable;
  contentType?: string;
  /** As announced by the server, when it did (and it is within `maxBytes`). */
  contentLength?: number;
}

export type TiktokConversationType = 'STRANGER' | 'SINGLE';

export interface CapabilitiesInput extends ConversationRef {
  conversationType?: TiktokConversationType;
}

export interface TiktokCapabilities {
  /** `'unknown'` when TikTok's answer did not mention IMAGE_SEND or gave no yes/no. */
  imageSend: boolean | 'unknown';
}

export interface ListConversationsInput {
  businessId: string;
  conversationType: TiktokConversationType;
  /** 1–100; TikTok's default applies when absent. */
  limit?: number;
  /** The `cursor` of the previous page. */
  cursor?: string;
}

export interface TiktokConversationSummary {
  conversationId: string;
  /** Milliseconds since the epoch, from `update_time` or `up_time`; 0 when TikTok sent neither. */
  updatedAt: number;
}

export interface ConversationPage {
  conversations: TiktokConversationSummary[];
  hasMore: boolean;
  /** Pass back to get the next page; absent when TikTok sent none. */
  cursor?: string;
}

export interface MessageHistory {
  /**
   * TikTok's 20 latest messages of the conversation, as sent (REST enums are uppercase).
   * Normalising them is the inbound code's job.
   */
  messages: Record<string, unknown>[];
  participants: Record<string, unknown>[];
}

export interface TiktokTokenInfo {
  appId: string;
  scopes: string[];
  /** The business (open_id) the token belongs to, when TikTok says so. */
  creatorId?: string;
}

export interface ListBusinessVideosInput {
  businessId: string;
  cursor?: string;
  /** TikTok allows at most 20 per page. */
  maxCount?: number;
}

export interface TiktokBusinessVideo {
  itemId: string;
  shareUrl?: string;
  embedUrl?: string;
}

export interface BusinessVideoPage {
  videos: TiktokBusinessVideo[];
  hasMore: boolean;
  cursor?: string;
}

export interface WebhookRegistration {
  callbackUrl: string | null;
}

/** What `checkApp` learns from one `webhook/list/` call: the cheapest call that proves the app's credentials. */
export interface TiktokAppCheck {
  /** The app's registered DIRECT_MESSAGE callback, if any. */
  webhook: WebhookRegistration;
  /** TikTok's clock, from the answer's `Date` header (whole seconds); null when it sent none. */
  serverTime: Date | null;
  /** Our clock when the request left and when the answer arrived, to bound the clock skew. */
  sentAt: Date;
  receivedAt: Date;
}

/**
 * How a failure should be handled. The class decides the reaction, the code is kept for diagnostics.
 * - `auth_expired`: the access token expired or is invalid; refresh once, then retry once.
 * - `auth_revoked`: the grant is gone (refresh token expired/invalid, scope removed); reauthorize.
 * - `connect_failed`: an authorization code was invalid, used or expired.
 * - `rate_limited`: slow down and retry with backoff.
 * - `messaging_limit`: TikTok's DM rules refused the message; do not retry.
 * - `invalid_request` / `invalid_media`: our request was wrong; do not retry.
 * - `transient`: network, timeout, HTTP 5xx or a TikTok system error; retry with backoff.
 * - `bug`: the client broke the contract (e.g. no token sent).
 */
export type TiktokErrorClass =
  | 'auth_expired'
  | 'auth_revoked'
  | 'connect_failed'
  | 'rate_limited'
  | 'messaging_limit'
  | 'invalid_request'
  | 'invalid_media'
  | 'transient'
  | 'bug';
