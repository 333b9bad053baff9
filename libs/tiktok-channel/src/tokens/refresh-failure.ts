import { TiktokApiError } from '../api/tiktok-api.error';

/**
 * TikTok's explicit refusals of a refresh token (wire contract §5): 40103 refresh token expired,
 * 40107 refresh token invalid. Only these say the grant itself is gone.
 *
 * Not here, on purpose:
 * - 40001 (no permission) on the refresh call is about the app (its access to the API was
 *   withdrawn or its client id is wrong), not about one account's grant: every account would get
 *   it, and reconnecting them one by one would not help.
 * - 40102/40105 are about access tokens, which the refresh call does not carry.
 * - Codeless HTTP answers (400/401/403/404 from a proxy, a firewall or a wrong base URL), 5xx,
 *   50000 and codes the contract does not list may come from anything between us and TikTok.
 */
export const REFRESH_REFUSAL_CODES: ReadonlySet<number> = new Set([40103, 40107]);

/**
 * `refused`: TikTok refused the refresh token; repeated over `refreshRefusalGraceSeconds`, the
 * account needs reauthorization. `transient`: anything else; retried with backoff, never flags.
 *
 * Decided from the error's own `code`, never from the client's generic `errorClass`: the client
 * classifies codeless statuses for ordinary calls (a codeless 403 may mean something else there),
 * and that must not decide whether a refresh token is dead.
 */
export type RefreshFailureKind = 'refused' | 'transient';

export function classifyRefreshFailure(error: unknown): RefreshFailureKind {
  return error instanceof TiktokApiError &&
    error.code !== undefined &&
    REFRESH_REFUSAL_CODES.has(error.code)
    ? 'refused'
    : 'transient';
}

const MAX_DETAIL = 500;

/**
 * The failure in words for the account's `last_refresh_error` and the host's warning. TikTok API
 * errors carry no secrets (the client keeps tokens out of its messages); anything else is reduced
 * to its name and message.
 */
export function describeRefreshFailure(error: unknown): string {
  let detail: string;
  if (error instanceof TiktokApiError) {
    const where =
      error.code !== undefined
        ? `code ${error.code}${error.httpStatus !== undefined ? ` (HTTP ${error.httpStatus})` : ''}`
        : error.httpStatus !== undefined
          ? `HTTP ${error.httpStatus} without a TikTok code`
          : `no answer (${error.errorClass})`;
    detail = `${where}: ${error.message}${error.requestId ? ` [request ${error.requestId}]` : ''}`;
  } else if (error instanceof Error) {
    detail = `${error.name}: ${error.message}`;
  } else {
    detail = String(error);
  }
  return detail.length > MAX_DETAIL ? `${detail.slice(0, MAX_DETAIL - 1)}…` : detail;
}
