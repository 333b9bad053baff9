import type {
  TiktokDiagnosticCheck,
  TiktokDiagnosticReport,
  TiktokDiagnosticVerdict,
  TiktokSymptom,
} from './tiktok-diagnostic.types';

export interface FormatOptions {
  /** ANSI colours, for a terminal. Default false. */
  color?: boolean;
}

const MARK: Record<TiktokDiagnosticVerdict, string> = {
  ok: '✔ ok  ',
  warn: '▲ warn',
  fail: '✖ FAIL',
};
const COLOR: Record<TiktokDiagnosticVerdict, string> = { ok: '32', warn: '33', fail: '31' };
const SYMPTOM_NAMES: Record<TiktokSymptom, string> = {
  cannot_connect: 'cannot connect',
  messages_not_syncing: 'messages not syncing',
  authorization_expired: 'authorization expired',
  cannot_send: 'cannot send',
};

/** The report as a terminal reads it: app-wide checks, then each account, then the symptoms. */
export function formatTiktokDiagnosticReport(
  report: TiktokDiagnosticReport,
  options: FormatOptions = {},
): string {
  const paint = (verdict: TiktokDiagnosticVerdict, text: string) =>
    options.color ? `\u001b[${COLOR[verdict]}m${text}\u001b[0m` : text;
  const line = (check: TiktokDiagnosticCheck, indent: string) => {
    const lines = [
      `${indent}${paint(check.verdict, MARK[check.verdict])}  ${check.title.padEnd(22)} ${check.summary}`,
    ];
    if (check.fix) lines.push(`${indent}        ${''.padEnd(22)} fix: ${check.fix}`);
    return lines;
  };

  const out = [`TikTok channel diagnostics, ${report.checkedAt.toISOString()}`, ''];
  for (const check of report.checks.filter((c) => !c.account)) out.push(...line(check, ''));

  const byAccount = new Map<string, TiktokDiagnosticCheck[]>();
  for (const check of report.checks.filter((c) => c.account)) {
    const id = check.account?.accountId ?? '';
    byAccount.set(id, [...(byAccount.get(id) ?? []), check]);
  }
  for (const checks of byAccount.values()) {
    const account = checks[0].account;
    out.push(
      '',
      `Account @${account?.username} (business ${account?.businessId}, inbox ${account?.inboxId ?? 'none'})`,
    );
    for (const check of checks) out.push(...line(check, '  '));
  }

  out.push(
    '',
    `Symptoms: ${Object.entries(report.symptoms)
      .map(
        ([symptom, verdict]) =>
          `${SYMPTOM_NAMES[symptom as TiktokSymptom]}: ${paint(verdict, verdict)}`,
      )
      .join(' · ')}`,
  );
  const failing = report.checks.filter((check) => check.verdict === 'fail').length;
  const warning = report.checks.filter((check) => check.verdict === 'warn').length;
  out.push(
    paint(
      report.verdict,
      failing > 0
        ? `${failing} check(s) failing, ${warning} warning(s).`
        : warning > 0
          ? `Every check passes, with ${warning} warning(s).`
          : 'Every check passes.',
    ),
  );
  return out.join('\n');
}
