/** Why a connection attempt ended without a connected account; sent to the host page as `tiktok_reason`. */
export type ConnectFailureReason =
  | 'access_denied'
  | 'authorization_failed'
  | 'invalid_state'
  /** The state was started in another browser (or this one sent no cookie back): nothing was done. */
  | 'browser_mismatch'
  | 'invalid_callback'
  | 'missing_code'
  | 'exchange_failed'
  /** TikTok refused the app's id or secret on the code exchange: an administrator must fix the configuration. */
  | 'app_credentials_rejected'
  | 'missing_scopes'
  | 'profile_failed'
  | 'personal_account'
  | 'already_connected_elsewhere'
  | 'inbox_mismatch'
  | 'internal_error';

export type ConnectResult =
  | { status: 'connected'; returnUrl: string; inboxId: string; reconnected: boolean }
  | { status: 'error'; returnUrl: string; reason: ConnectFailureReason; detail?: string };

/** Appends the outcome to the host's return URL, keeping relative URLs relative. */
export function returnUrlFor(result: ConnectResult): string {
  const base = 'http://return.invalid';
  const url = new URL(result.returnUrl, base);
  url.searchParams.set('tiktok_status', result.status);
  if (result.status === 'connected') url.searchParams.set('inbox_id', result.inboxId);
  else url.searchParams.set('tiktok_reason', result.reason);
  return url.origin === base ? `${url.pathname}${url.search}${url.hash}` : url.toString();
}
