import type { ConnectFailureReason } from 'tiktok-channel';

/** What the page says after the TikTok library sends the person back from a connection attempt. */
export interface ConnectBanner {
  tone: 'success' | 'error';
  text: string;
  /** A link to where the problem can be looked into (a section of the page). */
  action?: { href: string; text: string };
}

/** Failures a setting causes, which the diagnostics report names: the banner links there. */
const DIAGNOSED: ReadonlySet<ConnectFailureReason> = new Set([
  'app_credentials_rejected',
  'exchange_failed',
  'profile_failed',
  'missing_scopes',
]);

/**
 * One sentence per reason code the library appends as `tiktok_reason`, written for the person who
 * clicked the button: what happened, and what to do about it. Typed by the library's list, so a
 * reason added there fails the build here until it has its sentence.
 */
const FAILURE_TEXT: Record<ConnectFailureReason, string> = {
  access_denied: 'You declined the TikTok authorization, so nothing was connected.',
  personal_account:
    'That TikTok account is a personal account; Business Messaging needs a TikTok Business account. ' +
    'Switch it to Business in the TikTok app and try again.',
  missing_scopes:
    'TikTok did not grant every permission the helpdesk needs to read and answer messages, so nothing was connected. ' +
    'Try again and leave all permissions ticked on the consent screen.',
  invalid_state:
    'That sign-in link expired or was already used, so nothing was connected. Click “Sign in with TikTok” to try again.',
  browser_mismatch:
    'This sign-in was started in another browser (or this browser did not keep the helpdesk’s cookie), ' +
    'so nothing was connected. Click “Sign in with TikTok” in this browser to try again.',
  app_credentials_rejected:
    'TikTok refused the helpdesk’s app credentials, so nothing was connected. ' +
    'An administrator needs to check the TikTok app id and secret (the diagnostics report names the problem).',
  invalid_callback:
    'The address TikTok sent you back with was damaged, so nothing was connected. Click “Sign in with TikTok” to try again.',
  exchange_failed:
    'TikTok did not confirm the sign-in, so nothing was connected. Please try again in a moment.',
  authorization_failed:
    'TikTok stopped the authorization before it finished, so nothing was connected. Please try again.',
  missing_code:
    'TikTok sent you back without an authorization code, so nothing was connected. Please try again.',
  profile_failed:
    'The account was authorized, but its TikTok profile could not be read, so nothing was connected. ' +
    'Please try again in a moment.',
  already_connected_elsewhere:
    'That TikTok account is already connected to another workspace, so it was not connected here.',
  inbox_mismatch:
    'You signed in with a different TikTok account from the one this inbox belongs to. ' +
    'Reconnect with the same account, or use “Sign in with TikTok” to add the other one as a new inbox.',
  internal_error: 'Something went wrong on our side while saving the connection. Please try again.',
};

const CONNECTED_TEXT =
  'Your TikTok Business account is connected. New direct messages will appear in its inbox.';

/** The banner for the page's query string, or null when it does not come back from TikTok. */
export function connectBanner(status: unknown, reason: unknown): ConnectBanner | null {
  if (status === 'connected') return { tone: 'success', text: CONNECTED_TEXT };
  if (status !== 'error') return null;
  const code = typeof reason === 'string' ? reason : '';
  if (isKnownReason(code)) {
    return DIAGNOSED.has(code)
      ? {
          tone: 'error',
          text: FAILURE_TEXT[code],
          action: { href: '#view=diagnostics', text: 'Open the diagnostics' },
        }
      : { tone: 'error', text: FAILURE_TEXT[code] };
  }
  // A reason this page does not know yet: still say that nothing was connected, and show the code
  // (shortened: it comes from the URL) so it can be reported.
  const shown = code ? ` (reason: ${code.slice(0, 80)})` : '';
  return { tone: 'error', text: `TikTok could not be connected${shown}. Please try again.` };
}

function isKnownReason(code: string): code is ConnectFailureReason {
  return Object.prototype.hasOwnProperty.call(FAILURE_TEXT, code);
}
