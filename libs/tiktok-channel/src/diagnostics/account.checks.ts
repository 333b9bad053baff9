import { TiktokApiError } from '../api/tiktok-api.error';
import type { TiktokAccountType } from '../api/tiktok-api.types';
import type { SendStats } from './database.checks';
import type {
  TiktokDiagnosticAccount,
  TiktokDiagnosticCheck,
  TiktokDiagnosticVerdict,
} from './tiktok-diagnostic.types';

/** What the diagnostics read of an account row. */
export interface DiagnosedAccount {
  id: string;
  business_id: string;
  username: string;
  host_inbox_id: string | null;
  status: 'active' | 'reauthorization_required' | 'disconnected';
  status_reason: string | null;
  scopes: string[];
  access_token_expires_at: Date;
  refresh_token_expires_at: Date;
  refresh_failures: number;
  refresh_retry_at: Date | null;
  /** When the current run of failed refreshes began, and when TikTok began refusing the refresh token. */
  refresh_failing_since: Date | null;
  refresh_refused_since: Date | null;
  /** The last failure in words (never a token). */
  last_refresh_error: string | null;
  connected_at: Date;
}

/** A live call's outcome: a value, or the reason it could not be had. */
export type Live<T> = { ok: true; value: T } | { ok: false; error: unknown };

const DAY_MS = 86_400_000;
/** The host is warned about expiring refresh tokens this early (as the refresh job does). */
export const REFRESH_WARNING_DAYS = 7;

export function accountRef(account: DiagnosedAccount): TiktokDiagnosticAccount {
  return {
    accountId: account.id,
    businessId: account.business_id,
    username: account.username,
    inboxId: account.host_inbox_id,
  };
}

function reconnectFix(account: DiagnosedAccount): string {
  return `Reconnect the inbox with “Sign in with TikTok”, signing in as @${account.username}.`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The account's status, its access token (proven by TikTok when `live` is given) and its refresh token's expiry. */
export function tokensCheck(
  account: DiagnosedAccount,
  live: Live<unknown> | undefined,
  now: Date,
): TiktokDiagnosticCheck {
  const base = {
    id: 'account_tokens' as const,
    title: 'Authorization',
    account: accountRef(account),
  };
  const facts = {
    status: account.status,
    accessTokenExpiresAt: account.access_token_expires_at.toISOString(),
    refreshTokenExpiresAt: account.refresh_token_expires_at.toISOString(),
    refreshFailures: account.refresh_failures,
  };
  if (account.status === 'disconnected') {
    return {
      ...base,
      verdict: 'ok',
      summary: 'Disconnected on purpose: nothing is synced for it.',
      facts,
    };
  }
  if (account.status === 'reauthorization_required') {
    return {
      ...base,
      verdict: 'fail',
      summary: `TikTok no longer accepts this account’s grant (${account.status_reason ?? 'no reason recorded'}).`,
      fix: reconnectFix(account),
      facts,
    };
  }
  if (live && !live.ok) {
    const refused =
      live.error instanceof TiktokApiError &&
      ['auth_expired', 'auth_revoked'].includes(live.error.errorClass);
    return {
      ...base,
      verdict: refused ? 'fail' : 'warn',
      summary: refused
        ? `TikTok refused the account’s token (${errorText(live.error)}).`
        : `The token could not be checked with TikTok (${errorText(live.error)}).`,
      fix: refused ? reconnectFix(account) : 'Run the diagnostics again once TikTok answers.',
      facts,
    };
  }
  const refreshLeftMs = account.refresh_token_expires_at.getTime() - now.getTime();
  const refreshDate = account.refresh_token_expires_at.toISOString().slice(0, 10);
  if (refreshLeftMs <= DAY_MS) {
    return {
      ...base,
      verdict: 'fail',
      summary:
        refreshLeftMs <= 0
          ? `The refresh token expired on ${refreshDate}: the account stops working when its access token does.`
          : `The refresh token expires within ${Math.max(1, Math.floor(refreshLeftMs / 3_600_000))} hour(s).`,
      fix: reconnectFix(account),
      facts,
    };
  }
  if (refreshLeftMs <= REFRESH_WARNING_DAYS * DAY_MS) {
    return {
      ...base,
      verdict: 'warn',
      summary: `The refresh token expires on ${refreshDate}; after that only reconnecting restores the account.`,
      fix: `${reconnectFix(account)} Do it before ${refreshDate}: TikTok then issues a new refresh token.`,
      facts,
    };
  }
  if (account.refresh_failures > 0) {
    const since = account.refresh_failing_since?.toISOString();
    return {
      ...base,
      verdict: 'warn',
      summary:
        `The last ${account.refresh_failures} token refresh(es) failed` +
        `${since ? ` (since ${since})` : ''}; the next try is at ${account.refresh_retry_at?.toISOString() ?? 'the next sweep'}.` +
        `${account.last_refresh_error ? ` Last error: ${account.last_refresh_error}.` : ''}`,
      fix: account.refresh_refused_since
        ? `TikTok has refused the refresh token since ${account.refresh_refused_since.toISOString()}; if it keeps refusing, the account will need reauthorization. ${reconnectFix(account)}`
        : 'Check that this server reaches TikTok and that the app credentials check passes; the channel retries on its own.',
      facts: {
        ...facts,
        refreshFailingSince: since ?? null,
        refreshRefusedSince: account.refresh_refused_since?.toISOString() ?? null,
        lastRefreshError: account.last_refresh_error,
      },
    };
  }
  return {
    ...base,
    verdict: 'ok',
    summary: `${live?.ok ? 'TikTok accepts the access token' : 'The account is active'}; the refresh token lasts until ${refreshDate}.`,
    facts,
  };
}

export function scopesCheck(
  account: DiagnosedAccount,
  granted: string[],
  required: string[],
  requested: string[],
  source: 'tiktok' | 'stored',
): TiktokDiagnosticCheck {
  const base = {
    id: 'account_scopes' as const,
    title: 'Permissions',
    account: accountRef(account),
  };
  const facts = { granted: granted.join(','), source };
  const missingRequired = required.filter((scope) => !granted.includes(scope));
  if (missingRequired.length > 0) {
    return {
      ...base,
      verdict: 'fail',
      summary: `TikTok does not grant what messaging needs: ${missingRequired.join(', ')}.`,
      fix: `${reconnectFix(account)} Leave every permission ticked on TikTok’s consent screen.`,
      facts,
    };
  }
  const missingRequested = requested.filter((scope) => !granted.includes(scope));
  if (missingRequested.length > 0) {
    return {
      ...base,
      verdict: 'warn',
      summary: `Not granted: ${missingRequested.join(', ')}; messaging works, but what they allow (e.g. checking the account type) does not.`,
      fix: `${reconnectFix(account)} Leave every permission ticked if you need those.`,
      facts,
    };
  }
  return { ...base, verdict: 'ok', summary: 'Every requested permission is granted.', facts };
}

export function accountTypeCheck(
  account: DiagnosedAccount,
  profile: Live<TiktokAccountType>,
): TiktokDiagnosticCheck {
  const base = { id: 'account_type' as const, title: 'Account type', account: accountRef(account) };
  if (!profile.ok) {
    return {
      ...base,
      verdict: 'warn',
      summary: `The profile could not be read (${errorText(profile.error)}).`,
      fix: 'Run the diagnostics again once TikTok answers; if it keeps failing, reconnect the inbox.',
    };
  }
  if (profile.value === 'personal') {
    return {
      ...base,
      verdict: 'fail',
      summary:
        'This is now a personal TikTok account; Business Messaging only works with Business accounts.',
      fix: 'Switch it back to a Business account in the TikTok app (Settings and privacy › Account), then reconnect the inbox.',
    };
  }
  if (profile.value === 'unknown') {
    return {
      ...base,
      verdict: 'warn',
      summary:
        'TikTok did not say whether this is a Business account (the user.account.type permission is missing).',
      fix: `${reconnectFix(account)} Leave every permission ticked.`,
    };
  }
  return { ...base, verdict: 'ok', summary: 'A TikTok Business account.' };
}

/** What comparing TikTok's latest message with the stored webhooks found. */
export type SyncFinding =
  | { kind: 'nothing_to_compare'; reason: string }
  | { kind: 'arrived'; messageAt: Date }
  | { kind: 'missing'; messageAt: Date; conversationId: string; inFlight: boolean };

export function messageSyncCheck(
  account: DiagnosedAccount,
  finding: Live<SyncFinding>,
  lastWebhookAt: Date | undefined,
): TiktokDiagnosticCheck {
  const base = {
    id: 'message_sync' as const,
    title: 'Messages in sync',
    account: accountRef(account),
  };
  const facts = { lastWebhookAt: lastWebhookAt?.toISOString() ?? null };
  if (!finding.ok) {
    return {
      ...base,
      verdict: 'warn',
      summary: `TikTok’s conversations could not be read to compare (${errorText(finding.error)}).`,
      fix: 'Run the diagnostics again once TikTok answers.',
      facts,
    };
  }
  const found = finding.value;
  if (found.kind === 'nothing_to_compare') {
    return { ...base, verdict: 'ok', summary: found.reason, facts };
  }
  if (found.kind === 'arrived') {
    return {
      ...base,
      verdict: 'ok',
      summary: `TikTok’s latest message (${found.messageAt.toISOString()}) arrived as a webhook.`,
      facts: { ...facts, latestMessageAt: found.messageAt.toISOString() },
    };
  }
  const last = lastWebhookAt
    ? `the last webhook for this account came at ${lastWebhookAt.toISOString()}`
    : 'no webhook for this account has ever arrived';
  return {
    ...base,
    verdict: found.inFlight ? 'warn' : 'fail',
    summary: found.inFlight
      ? `TikTok has a message from ${found.messageAt.toISOString()} that has not arrived as a webhook yet; ${last}.`
      : `TikTok has a message from ${found.messageAt.toISOString()} that never arrived as a webhook; ${last}.`,
    fix: 'Check the webhook registration, that the callback URL is reachable from the internet, and that webhooks pass the signature check (app secret, clock).',
    facts: {
      ...facts,
      latestMessageAt: found.messageAt.toISOString(),
      conversationId: found.conversationId,
    },
  };
}

const SEND_FIXES: Record<string, { verdict: TiktokDiagnosticVerdict; fix: string }> = {
  reauthorization_required: {
    verdict: 'fail',
    fix: 'Reconnect the inbox with “Sign in with TikTok”.',
  },
  tiktok_unavailable: {
    verdict: 'fail',
    fix: 'Check that this server reaches TikTok; the channel retries briefly, then reports the failure.',
  },
  unknown: {
    verdict: 'fail',
    fix: 'Look for TikTok’s answer in the logs (TiktokChannel) around that time.',
  },
  rate_limited: {
    verdict: 'warn',
    fix: 'Send less at once: TikTok allows about 10 requests per second per business.',
  },
  messaging_limit: {
    verdict: 'warn',
    fix: 'TikTok’s messaging rules refused it: the customer must write first, replies are allowed for 48 hours, and only a few messages until they answer.',
  },
  invalid_content: {
    verdict: 'warn',
    fix: 'Check the message: text up to 6,000 characters, images JPG or PNG up to 3 MB.',
  },
  unsupported_media: {
    verdict: 'warn',
    fix: 'Send images as JPG or PNG, and videos as links or the business’s own posts.',
  },
};

export function sendFailuresCheck(
  account: DiagnosedAccount,
  sends: SendStats,
): TiktokDiagnosticCheck {
  const base = { id: 'send_failures' as const, title: 'Sending', account: accountRef(account) };
  const latest = sends.latest.get(account.id);
  const failure = sends.lastFailure.get(account.id);
  const facts = {
    lastSendAt: latest?.createdAt.toISOString() ?? null,
    lastFailureAt: failure?.createdAt.toISOString() ?? null,
    lastFailureReason: failure?.reason ?? null,
  };
  if (!latest) return { ...base, verdict: 'ok', summary: 'Nothing has been sent yet.', facts };
  if (latest.status !== 'failed' || !failure) {
    return {
      ...base,
      verdict: 'ok',
      summary: failure
        ? `The latest send went through (an earlier one failed: ${failure.reason ?? 'unknown'}).`
        : 'The latest send went through.',
      facts,
    };
  }
  const reason = failure.reason ?? 'unknown';
  const advice = SEND_FIXES[reason] ?? SEND_FIXES.unknown;
  return {
    ...base,
    verdict: advice.verdict,
    summary: `The latest send failed at ${failure.createdAt.toISOString()}: ${reason}.`,
    fix: advice.fix,
    facts,
  };
}
