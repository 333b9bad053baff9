import type { TiktokErrorClass } from './tiktok-api.types';

export interface TiktokApiErrorInit {
  errorClass: TiktokErrorClass;
  /** Must already be free of tokens and secrets: it ends up in logs. */
  message: string;
  /** Path relative to the API base, without any query string (`media download URL` for downloads). */
  endpoint: string;
  code?: number;
  httpStatus?: number;
  requestId?: string;
  /**
   * The request may have been carried out although no answer says so (a timeout or a dropped
   * connection after it left, an HTTP 5xx from a gateway). Repeating it could do it twice.
   */
  outcomeUnknown?: boolean;
}

/**
 * A failed TikTok call. Callers react to `errorClass`; `code`, `httpStatus` and `requestId` are
 * there for diagnostics and for TikTok support tickets.
 */
export class TiktokApiError extends Error {
  override readonly name = 'TiktokApiError';
  readonly errorClass: TiktokErrorClass;
  /** TikTok's envelope `code`, when the response carried one. */
  readonly code?: number;
  readonly httpStatus?: number;
  readonly requestId?: string;
  /** Never the full URL: the webhook list call carries the app secret in its query. */
  readonly endpoint: string;
  /**
   * True when TikTok may have carried the call out anyway (timeout or connection lost after the
   * request left, HTTP 5xx without TikTok's envelope). A send with an unknown outcome must be
   * looked for before it is repeated: TikTok has no idempotency key.
   */
  readonly outcomeUnknown: boolean;

  constructor(init: TiktokApiErrorInit) {
    super(init.message);
    this.errorClass = init.errorClass;
    this.endpoint = init.endpoint;
    this.code = init.code;
    this.httpStatus = init.httpStatus;
    this.requestId = init.requestId;
    this.outcomeUnknown = init.outcomeUnknown ?? false;
  }

  /** Whether the same call may succeed later unchanged (auth failures need a refresh first). */
  get retryable(): boolean {
    return this.errorClass === 'transient' || this.errorClass === 'rate_limited';
  }
}

const CODE_CLASSES: ReadonlyMap<number, TiktokErrorClass> = new Map<number, TiktokErrorClass>([
  [40001, 'auth_revoked'],
  [40002, 'invalid_request'],
  [40007, 'invalid_request'],
  [40064, 'messaging_limit'],
  [40100, 'rate_limited'],
  [40016, 'rate_limited'],
  [40102, 'auth_expired'],
  [40105, 'auth_expired'],
  [40103, 'auth_revoked'],
  [40107, 'auth_revoked'],
  [40104, 'bug'],
  [40110, 'connect_failed'],
  [40101, 'connect_failed'],
  [40907, 'invalid_media'],
  [40908, 'invalid_media'],
  [50000, 'transient'],
  [50002, 'transient'],
  [51065, 'transient'],
]);

/**
 * Maps a non-zero envelope `code` to how it should be handled. Unknown 5xxxx codes are TikTok-side
 * failures, so retrying is reasonable; any other unknown code is treated as our mistake, because
 * retrying a request TikTok refused would only repeat the refusal.
 */
export function classifyTiktokCode(code: number): TiktokErrorClass {
  const known = CODE_CLASSES.get(code);
  if (known) return known;
  if (code >= 50000 && code <= 59999) return 'transient';
  return 'invalid_request';
}
