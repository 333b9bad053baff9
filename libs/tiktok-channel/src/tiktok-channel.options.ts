import type { AxiosInstance } from 'axios';
import type { Request } from 'express';

/** Who is connecting, decided by the host when the authorize route is hit. */
export interface TiktokConnectContext {
  /** The host's workspace/account the new inbox belongs to. */
  tenant: string;
  /** Set when reconnecting an existing inbox, so the same inbox keeps its history. */
  inboxId?: string;
  /** Absolute or host-relative URL the person is sent back to; `tiktok_status` and `tiktok_reason` are appended. */
  returnUrl: string;
}

/**
 * How long the channel keeps what it no longer needs. Every age is in days; pending events and
 * unfinished sends are never touched. Runs as `TiktokChannelJobs.Retention`.
 */
export interface TiktokRetentionOptions {
  /** Raw body and parsed content (the customer's words) of processed or ignored webhook events are dropped this long after processing. Default 7. */
  webhookBodyDays?: number;
  /** Processed or ignored webhook events are deleted this long after processing. Default 30, at least 4 (TikTok redelivers for 72 h). */
  webhookEventDays?: number;
  /** Parked (`failed`) webhook events, kept whole for a person to look at, are deleted this long after they arrived. Default 30. */
  parkedEventDays?: number;
  /** Sent, failed and read outbound message parts (with their text) are deleted this long after they were created; a message's final status row goes with its last part once the host has been told. Default 30. */
  outboundMessageDays?: number;
}

export interface TiktokChannelModuleOptions {
  /** TikTok app id (client_key / client_id / app_id on the wire). */
  appId: string;
  appSecret: string;
  /** The callback registered with TikTok, e.g. `https://helpdesk.example.com/tiktok/oauth/callback`. */
  redirectUri: string;
  /**
   * Keys for encrypting tokens at rest, newest first, each `keyId:base64Of32Bytes`. The first key
   * encrypts; every key decrypts, so keys can be rotated without losing stored tokens.
   */
  tokenEncryptionKeys: string[];
  /**
   * Decides the connect context for `GET /tiktok/oauth/authorize`. It is also the guard: throw an
   * `HttpException` (e.g. `ForbiddenException`) to refuse the request.
   */
  resolveConnectContext: (req: Request) => TiktokConnectContext | Promise<TiktokConnectContext>;
  /** Default `https://business-api.tiktok.com/open_api/v1.3/`. */
  apiBaseUrl?: string;
  /** Default `https://www.tiktok.com/v2/auth/authorize/`. */
  authorizeUrl?: string;
  /** Scopes requested at consent. Default: see `DEFAULT_SCOPES`. */
  scopes?: string[];
  /** Scopes a connection must have been granted; a grant without one is refused. Default: `REQUIRED_SCOPES`. */
  requiredScopes?: string[];
  /** Accepted age of a webhook signature timestamp, both directions. Default 300 s. */
  webhookToleranceSeconds?: number;
  /** Refresh an access token this long before it expires. Default 600 s. */
  refreshLeadSeconds?: number;
  /** Request property holding the raw body (the host creates the app with `{ rawBody: true }`). Default `rawBody`. */
  rawBodyProperty?: string;
  /** Timeout of each TikTok API request, to the last byte. Default 10 000 ms. */
  requestTimeoutMs?: number;
  /**
   * The axios instance the TikTok client sends through, for a host's interceptors (tracing,
   * metrics). The client still sets its own timeout, redirect and parsing rules on every request.
   * Default: a fresh `axios.create()`.
   */
  httpClient?: AxiosInstance;
  /**
   * Run the background sweeps (token refresh, stale webhook events) on `@nestjs/schedule`: the host
   * imports `ScheduleModule.forRoot()`. Default true; tests may turn them off and drive time.
   */
  enableBackgroundJobs?: boolean;
  /** Cadence of the token refresh sweep (`TiktokChannelJobs.TokenRefresh`). Default 60 s, at least 1 s. */
  tokenRefreshIntervalSeconds?: number;
  /** Cadence of the sweep for webhook events no kick reached (`TiktokChannelJobs.InboundSweep`). Default 5 s, at least 1 s. */
  inboundSweepIntervalSeconds?: number;
  /**
   * Conversations one process works on at once (each a transaction holding one pooled connection,
   * plus one more while the host's port runs). Keep `2 × inboundWorkers` well under the pool size:
   * the rest of the pool is the share webhook intake can always get, so a backlog never slows the
   * 200s TikTok waits for. Default 3 (1–64).
   */
  inboundWorkers?: number;
  /**
   * Events one processing transaction handles at most while webhooks keep arriving, shared among
   * the conversations it takes (an equal share each, at most 50). Its events are handled on the
   * event loop between two round trips and hold their rows until the commit: a smaller cap keeps
   * webhook acknowledgements quick, a larger one spends fewer statements per event. A backlog with
   * no deliveries arriving drains in transactions of up to 1,600 events (32 conversations × 50).
   * Default 512 (1–1600).
   */
  inboundEventsPerTransaction?: number;
  /**
   * Store and acknowledge webhooks but do not process them until `InboundProcessor.resume()`: for
   * a maintenance window, a process that only takes intake, or measuring intake alone. Default false.
   */
  inboundProcessingPaused?: boolean;
  /**
   * Connections of webhook intake's own pool, opened with the DataSource's settings beside its
   * pool: bursts of deliveries and a processing backlog never wait for each other's connections.
   * 0 shares the DataSource's pool. Default 4 (0–64).
   */
  intakePoolSize?: number;
  /**
   * Take `POST` deliveries to the webhook route ahead of the host's web framework: a listener on
   * the host's HTTP server reads the raw body itself (up to `maxWebhookBytes`, else 413), checks
   * the signature, stores and answers exactly as the controller does, and hands every other
   * request to the framework unchanged. The route is the controller's route as the framework
   * registered it (global prefix, versioning, `RouterModule` paths, strict and case-sensitive
   * routing hold). It skips the host's middleware, guards, interceptors and filters for that one
   * route; a delivery with a `Content-Encoding` still goes through them. Express only (others
   * keep the controller path). Default false.
   */
  webhookFastPath?: boolean;
  /** TikTok refresh calls one process runs at once during a sweep. Default 4 (1–64). */
  tokenRefreshConcurrency?: number;
  /**
   * How long TikTok must keep refusing an account's refresh token (40103 expired, 40107 invalid)
   * before the account is marked `reauthorization_required`: one refusal is retried, and only a
   * refusal that still comes this long after the first flags the account. Any other failure
   * (codeless HTTP errors, 5xx, 50000, other codes, timeouts) never flags it. Default 600 s (the
   * default refresh lead, so a refused account is flagged about when its access token runs out);
   * 0 flags at the first refusal; at most 7 days.
   */
  refreshRefusalGraceSeconds?: number;
  /**
   * Failed refreshes of one account in a row after which the host hears
   * `tiktok.account.refresh_failing` (once per run of failures). Default 3 (1–1000).
   */
  refreshFailureWarningThreshold?: number;
  /** Where a person lands when the OAuth state is unusable (expired, forged), so no context is known. Default `/`. */
  defaultReturnUrl?: string;
  /**
   * TikTok requests per second per business, across every process (slots are reserved in
   * PostgreSQL). TikTok throttles at about 10 with code 40100. Default 10 (0.1–100).
   */
  rateLimitPerSecond?: number;
  /**
   * TikTok messages a conversation may get after the customer's last message (a host message with
   * text and two images counts 3). Sources report 10; a send over it is refused before TikTok is
   * called. Default 10 (1–1000).
   */
  maxMessagesBeforeCustomerReply?: number;
  /**
   * TikTok messages that may still go out once the 48-hour window after the customer's last
   * message lapsed. Default 0: the window is a hard stop, as TikTok's documented rule says. Some
   * sources report 3 more; set 3 to use them (0–1000).
   */
  maxMessagesAfterReplyWindow?: number;
  /**
   * How long `TiktokMessenger.send` waits for TikTok before answering `pending` (delivery then goes
   * on in the background and its outcome reaches the port and the events). Default 5000 ms; 0
   * answers `pending` as soon as the parts are recorded (0–120000).
   */
  sendWaitMs?: number;
  /** Cadence of the sweep that sends what no request finished (`TiktokChannelJobs.OutboundSweep`). Default 5 s. */
  outboundSweepIntervalSeconds?: number;
  /** Conversations one process sends to at once from the sweep. Default 16 (1–512). */
  outboundConcurrency?: number;
  /** Tries per part when TikTok throttles or is down, before the part is reported failed. Default 8 (1–50). */
  maxSendAttempts?: number;
  /**
   * After a send whose answer was lost, how long to wait before looking for the message in TikTok's
   * history (the echo, then `content/list`). Default 2000 ms (0–600000).
   */
  reconcileDelayMs?: number;
  /** How long a `capabilities/get` answer (can this customer receive images?) is trusted. Default 3600 s. */
  capabilitiesTtlSeconds?: number;
  /** Largest attachment read from bytes, a stream or a URL, before conversion. Default 25 MB. */
  maxAttachmentBytes?: number;
  /**
   * Largest inbound attachment (image, video) downloaded from TikTok and streamed to the host's
   * `storeAttachment`; a larger one reaches the host without bytes, with the reason. Default 50 MB.
   */
  maxInboundAttachmentBytes?: number;
  /**
   * Largest webhook body the library reads itself (bodies with a content type the host's body
   * parser does not take, such as `text/plain`); larger ones get 413. Bodies the host's JSON parser
   * reads are bound by that parser's `limit`. Default 1 MB.
   */
  maxWebhookBytes?: number;
  /**
   * How long events for a business that is not connected (yet) are kept waiting: when it connects
   * within this time they are processed, in order, as if they had just arrived; after it they are
   * ignored. TikTok may deliver before the connection completes. 0 ignores them at once. Default 24.
   */
  earlyWebhookRetentionHours?: number;
  /**
   * Where TikTok should deliver webhooks: your public URL plus `/tiktok/webhook`. The diagnostics
   * compare TikTok's registration with it, and `TiktokWebhookRegistrar.ensureRegistered()`
   * registers it. Default: none (the diagnostics then only check that some callback is registered).
   */
  webhookCallbackUrl?: string;
  /**
   * Unfinished connection attempts kept per tenant; the oldest goes when a new one starts, so a
   * storm of authorize requests cannot fill the table. Default 20 (1–1000).
   */
  maxPendingConnectsPerTenant?: number;
  /** What is pruned when; see `TiktokRetentionOptions` for the defaults. */
  retention?: TiktokRetentionOptions;
  /** Cadence of the retention job (`TiktokChannelJobs.Retention`). Default 3600 s (60–86 400). */
  retentionIntervalSeconds?: number;
  /** Rows one retention statement touches, so no statement holds many rows locked. Default 500 (1–10 000). */
  retentionBatchSize?: number;
}

export const DEFAULT_RETENTION: Required<TiktokRetentionOptions> = {
  webhookBodyDays: 7,
  webhookEventDays: 30,
  parkedEventDays: 30,
  outboundMessageDays: 30,
};

export const DEFAULT_API_BASE_URL = 'https://business-api.tiktok.com/open_api/v1.3/';
export const DEFAULT_AUTHORIZE_URL = 'https://www.tiktok.com/v2/auth/authorize/';

export const REQUIRED_SCOPES = [
  'user.info.basic',
  'message.list.read',
  'message.list.send',
  'message.list.manage',
];

export const DEFAULT_SCOPES = [
  'user.info.basic',
  'user.info.username',
  'user.info.profile',
  'user.info.stats',
  'user.account.type',
  'video.list',
  'message.list.read',
  'message.list.send',
  'message.list.manage',
];
