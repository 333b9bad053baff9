import { formatTiktokDiagnosticReport } from './format-report';
import { buildReport } from './tiktok-diagnostic.types';

describe('The terminal report', () => {
  const report = buildReport(
    [
      { id: 'database', title: 'Database', verdict: 'ok', summary: 'PostgreSQL answers.' },
      {
        id: 'webhook_registration',
        title: 'Webhook registration',
        verdict: 'fail',
        summary: 'No webhook is registered.',
        fix: 'Register it.',
      },
      {
        id: 'account_tokens',
        title: 'Authorization',
        verdict: 'warn',
        summary: 'The refresh token expires soon.',
        fix: 'Reconnect.',
        account: { accountId: 'a1', businessId: 'b1', username: 'shop', inboxId: 'i1' },
      },
    ],
    new Date('2026-01-02T03:04:05Z'),
  );

  it('lists each check with its verdict and fix, accounts apart, and ends with the tally', () => {
    const text = formatTiktokDiagnosticReport(report);
    expect(text).toContain('✖ FAIL  Webhook registration');
    expect(text).toContain('fix: Register it.');
    expect(text).toContain('Account @shop (business b1, inbox i1)');
    expect(text).toContain('  ▲ warn  Authorization');
    expect(text).toContain('messages not syncing: fail');
    expect(text.trim().split('\n').pop()).toBe('1 check(s) failing, 1 warning(s).');
  });

  it('names the worst symptom verdicts', () => {
    expect(report.verdict).toBe('fail');
    expect(report.symptoms).toEqual({
      cannot_connect: 'ok',
      messages_not_syncing: 'fail',
      authorization_expired: 'warn',
      cannot_send: 'warn',
    });
  });

  it('colours only when asked', () => {
    expect(formatTiktokDiagnosticReport(report)).not.toContain('\u001b[');
    expect(formatTiktokDiagnosticReport(report, { color: true })).toContain('\u001b[31m');
  });
});
