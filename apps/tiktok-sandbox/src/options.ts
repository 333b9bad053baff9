export interface WebhookRetryOptions {
  /** Attempts per delivery, the first one included. Default 5. */
  maxAttempts?: number;
  /** Wait before the second attempt; it doubles after each failure. Default 200 ms. */
  initialDelayMs?: number;
  /** An attempt that gets no answer in this time counts as failed. Default 5000 ms. */
  timeoutMs?: number;
}

export interface SandboxOptions {
  /** 0 or undefined picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  appId: string;
  appSecret: string;
  /** Default 86400 (1 day), as TikTok usually answers. */
  accessTokenTtlSeconds?: number;
  /** Default 31536000 (1 year), as TikTok usually answers. */
  refreshTokenTtlSeconds?: number;
  log?: (line: string) => void;
  /** TikTok retries for 72 h; tests want a short schedule. */
  webhookRetry?: WebhookRetryOptions;
  /**
   * Messaging requests per second per business before TikTok answers 40100. Default 10; 0 turns
   * the limit off. `POST /sandbox/rate-limit` changes it at run time.
   */
  rateLimitPerSecond?: number;
  /** TikTok's reported message caps (see `MessagingCaps`). */
  messagingCaps?: Partial<MessagingCaps>;
  /** The app's name on the consent page, as TikTok shows the name registered with the app. Default "Demo Helpdesk". */
  appName?: string;
  /**
   * Keep the state (accounts, tokens, grants, conversations, webhook registration…) in this JSON
   * file, so a restarted sandbox still knows them. Default: in memory only.
   */
  stateFile?: string;
  /**
   * How long the sandbox's server keeps an idle client connection open. Default 5000 ms (Node's
   * default). A client whose idle sockets live longer (a load test's keep-alive agent) needs more,
   * or it writes now and then into a socket the sandbox is closing.
   */
  keepAliveTimeoutMs?: number;
}

/**
 * The caps the wire contract reports (sources differ): messages a business may send after the
 * person's last message, and how many of those may still go out once the 48-hour window lapsed.
 */
export interface MessagingCaps {
  /** Default 10. */
  beforeUserReply: number;
  /** Default 3. */
  afterWindow: number;
}

export interface RunningSandbox {
  /** e.g. http://127.0.0.1:4010, no trailing slash. */
  url: string;
  /** `${url}/open_api/v1.3/` */
  apiBaseUrl: string;
  /** `${url}/v2/auth/authorize/` */
  authorizeUrl: string;
  close(): Promise<void>;
}

/** The options with every default applied, shared by the sandbox's parts. */
export interface SandboxConfig {
  appId: string;
  appSecret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  webhookRetry: Required<WebhookRetryOptions>;
  rateLimitPerSecond: number;
  messagingCaps: MessagingCaps;
  appName: string;
  keepAliveTimeoutMs: number;
  log: (line: string) => void;
}

export function resolveConfig(options: SandboxOptions): SandboxConfig {
  if (!options.appId) throw new Error('startSandbox: appId is required');
  if (!options.appSecret) throw new Error('startSandbox: appSecret is required');
  const keepAlive = options.keepAliveTimeoutMs;
  if (keepAlive !== undefined && !(Number.isInteger(keepAlive) && keepAlive >= 0)) {
    throw new Error('startSandbox: keepAliveTimeoutMs must be a whole number of ms, 0 or more');
  }
  return {
    appId: options.appId,
    appSecret: options.appSecret,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 86_400,
    refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? 31_536_000,
    webhookRetry: {
      maxAttempts: options.webhookRetry?.maxAttempts ?? 5,
      initialDelayMs: options.webhookRetry?.initialDelayMs ?? 200,
      timeoutMs: options.webhookRetry?.timeoutMs ?? 5_000,
    },
    rateLimitPerSecond: options.rateLimitPerSecond ?? 10,
    messagingCaps: {
      beforeUserReply: options.messagingCaps?.beforeUserReply ?? 10,
      afterWindow: options.messagingCaps?.afterWindow ?? 3,
    },
    appName: options.appName?.trim() || 'Demo Helpdesk',
    keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? 5_000,
    log: options.log ?? (() => undefined),
  };
}
