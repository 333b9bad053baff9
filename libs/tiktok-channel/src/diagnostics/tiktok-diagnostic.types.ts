export type TiktokDiagnosticVerdict = 'ok' | 'warn' | 'fail';

/** One check of the seed's troubleshooting list. Per-account checks carry `account`. */
export type TiktokDiagnosticCheckId =
  | 'database'
  | 'app_credentials'
  | 'redirect_uri'
  | 'webhook_registration'
  | 'clock_skew'
  | 'webhook_activity'
  | 'parked_events'
  | 'account_tokens'
  | 'account_scopes'
  | 'account_type'
  | 'message_sync'
  | 'send_failures';

export interface TiktokDiagnosticAccount {
  accountId: string;
  businessId: string;
  username: string;
  inboxId: string | null;
}

export interface TiktokDiagnosticCheck {
  id: TiktokDiagnosticCheckId;
  title: string;
  verdict: TiktokDiagnosticVerdict;
  /** What was found, in one sentence. Never a token or a secret. */
  summary: string;
  /** What to do about it, in one sentence; absent when the check is ok. */
  fix?: string;
  account?: TiktokDiagnosticAccount;
  /** The facts behind the verdict (dates, counts, URLs without secrets), for a page to show. */
  facts?: Record<string, string | number | boolean | null>;
}

/** The symptoms of the seed's troubleshooting section, each explained by some of the checks. */
export type TiktokSymptom =
  'cannot_connect' | 'messages_not_syncing' | 'authorization_expired' | 'cannot_send';

export const TIKTOK_SYMPTOM_CHECKS: Readonly<
  Record<TiktokSymptom, readonly TiktokDiagnosticCheckId[]>
> = {
  cannot_connect: ['database', 'app_credentials', 'redirect_uri', 'account_type'],
  messages_not_syncing: [
    'webhook_registration',
    'webhook_activity',
    'message_sync',
    'parked_events',
    'clock_skew',
    'account_tokens',
    'account_scopes',
  ],
  authorization_expired: ['account_tokens', 'account_scopes', 'app_credentials'],
  cannot_send: ['send_failures', 'account_tokens', 'account_scopes', 'account_type'],
};

export interface TiktokDiagnosticReport {
  /** The worst verdict of all checks. */
  verdict: TiktokDiagnosticVerdict;
  checkedAt: Date;
  checks: TiktokDiagnosticCheck[];
  /** Each symptom's worst verdict among the checks that explain it. */
  symptoms: Record<TiktokSymptom, TiktokDiagnosticVerdict>;
}

const RANK: Record<TiktokDiagnosticVerdict, number> = { ok: 0, warn: 1, fail: 2 };

export function worstVerdict(verdicts: Iterable<TiktokDiagnosticVerdict>): TiktokDiagnosticVerdict {
  let worst: TiktokDiagnosticVerdict = 'ok';
  for (const verdict of verdicts) if (RANK[verdict] > RANK[worst]) worst = verdict;
  return worst;
}

export function buildReport(
  checks: TiktokDiagnosticCheck[],
  checkedAt: Date,
): TiktokDiagnosticReport {
  const symptoms = Object.fromEntries(
    Object.entries(TIKTOK_SYMPTOM_CHECKS).map(([symptom, ids]) => [
      symptom,
      worstVerdict(checks.filter((check) => ids.includes(check.id)).map((check) => check.verdict)),
    ]),
  ) as Record<TiktokSymptom, TiktokDiagnosticVerdict>;
  return {
    verdict: worstVerdict(checks.map((check) => check.verdict)),
    checkedAt,
    checks,
    symptoms,
  };
}
