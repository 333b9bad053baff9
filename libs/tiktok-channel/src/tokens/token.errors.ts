import { TiktokApiError } from '../api/tiktok-api.error';

/**
 * The account cannot be used until a person reconnects it (grant revoked, refresh token expired,
 * account disconnected). Callers turn this into a `reauthorization_required` failure reason.
 */
export class TiktokReauthorizationRequiredError extends Error {
  override readonly name = 'TiktokReauthorizationRequiredError';

  constructor(
    readonly accountId: string,
    readonly reason: string,
  ) {
    super(`TikTok account ${accountId} needs reauthorization: ${reason}`);
  }
}

/**
 * Refreshing the account's access token failed, and the account is not (yet) flagged: TikTok or
 * something between us and TikTok failed, or TikTok refused the refresh token for less than
 * `refreshRefusalGraceSeconds`. A `TiktokApiError` of class `transient` (so a send reports
 * `tiktok_unavailable`), carrying TikTok's `code`/`httpStatus` of the failure when there was one.
 * The library retries from `retryAt`; calls for the account fail fast until then.
 */
export class TiktokRefreshFailedError extends TiktokApiError {
  // `name` stays 'TiktokApiError' (the base class fixes its type); tell them apart with instanceof.
  constructor(
    readonly accountId: string,
    /** Failed refreshes in a row, this one included. */
    readonly consecutiveFailures: number,
    /** When the next refresh may be tried; null when unknown. */
    readonly retryAt: Date | null,
    detail: string,
    failure?: TiktokApiError,
  ) {
    super({
      errorClass: 'transient',
      endpoint: 'tt_user/oauth2/refresh_token/',
      code: failure?.code,
      httpStatus: failure?.httpStatus,
      requestId: failure?.requestId,
      message: `Refreshing TikTok account ${accountId} failed (${consecutiveFailures} in a row, last: ${detail})${
        retryAt ? `; next try after ${retryAt.toISOString()}` : ''
      }`,
    });
  }
}
