import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  TiktokDiagnostics,
  TiktokEvents,
  TiktokRefreshFailedError,
  TiktokTokenService,
  TokenRefreshCron,
  type RefreshFailingEvent,
  type RefreshRecoveredEvent,
} from '../../libs/tiktok-channel/src';
import { followRedirects, get } from '../support/e2e-harness';
import { startLibraryHost, type LibraryHost } from '../support/library-host';
import { SandboxControl, SandboxFaults, type SandboxFault } from '../support/sandbox-control';

const REFRESH_PATH = '/tt_user/oauth2/refresh_token/';
const GRACE_SECONDS = 600;
const WARN_AFTER = 3;

type Fault = Omit<SandboxFault, 'path' | 'times'>;

interface AccountRow {
  id: string;
  host_inbox_id: string;
  status: string;
  status_reason: string | null;
  refresh_failures: number;
  refresh_retry_at: Date | null;
  refresh_failing_since: Date | null;
  refresh_refused_since: Date | null;
  last_refresh_error: string | null;
  last_refresh_error_at: Date | null;
  last_refreshed_at: Date | null;
}

/**
 * What a failed refresh does to an account, class by class, driven by the sandbox's faults:
 * only TikTok's explicit refusals of the refresh token (40103, 40107), repeated over
 * `refreshRefusalGraceSeconds`, flag the account; everything else backs off, counts and warns.
 */
describe('A failed token refresh', () => {
  let host: LibraryHost;
  let faults: SandboxFaults;
  const failing: RefreshFailingEvent[] = [];
  const recovered: RefreshRecoveredEvent[] = [];

  async function account(): Promise<AccountRow> {
    const { rows } = await host.db.query<AccountRow>(`SELECT * FROM tiktok_accounts`);
    expect(rows).toHaveLength(1);
    return rows[0];
  }

  async function refreshCalls(): Promise<number> {
    const stats = await get<{ requests: Record<string, number> }>(
      `${host.sandbox.url}/sandbox/stats`,
    );
    return stats.requests[`/open_api/v1.3${REFRESH_PATH}`] ?? 0;
  }

  /** The sweep, with the next refresh call answered by the fault (or normally). */
  async function sweep(fault?: Fault) {
    if (fault) await faults.plan({ path: REFRESH_PATH, times: 1, ...fault });
    return host.app.get(TokenRefreshCron).sweep();
  }

  /** Time passes by `seconds` for the account's refresh bookkeeping, and its retry is due. */
  async function timePasses(seconds: number): Promise<void> {
    await host.db.query(
      `UPDATE tiktok_accounts
          SET refresh_failing_since = refresh_failing_since - make_interval(secs => $1),
              refresh_refused_since = refresh_refused_since - make_interval(secs => $1),
              refresh_retry_at = now() - interval '1 second'`,
      [seconds],
    );
  }

  beforeAll(async () => {
    host = await startLibraryHost('forRoot', {
      options: {
        refreshRefusalGraceSeconds: GRACE_SECONDS,
        refreshFailureWarningThreshold: WARN_AFTER,
      },
    });
    faults = new SandboxFaults(host.sandbox.url);
    const emitter = host.app.get(EventEmitter2);
    emitter.on(TiktokEvents.RefreshFailing, (event: RefreshFailingEvent) => failing.push(event));
    emitter.on(TiktokEvents.RefreshRecovered, (event: RefreshRecoveredEvent) =>
      recovered.push(event),
    );
    await new SandboxControl(host.sandbox.url).queueConsent('refreshshop', 'business', 'approve');
    await followRedirects(`${host.url}/tiktok/oauth/authorize`);
  });

  beforeEach(async () => {
    // A healthy account whose access token is due for a refresh.
    await host.db.query(
      `UPDATE tiktok_accounts
          SET status = 'active', status_reason = NULL, refresh_failures = 0, refresh_retry_at = NULL,
              refresh_failing_since = NULL, refresh_refused_since = NULL,
              last_refresh_error = NULL, last_refresh_error_at = NULL,
              access_token_expires_at = now() + interval '2 minutes'`,
    );
    failing.length = 0;
    recovered.length = 0;
    host.port.accountStatuses.length = 0;
  });

  afterAll(async () => {
    await host?.close();
  });

  describe.each<[string, Fault, RegExp]>([
    ['a codeless HTTP 400 (a proxy)', { httpStatus: 400 }, /^HTTP 400 without a TikTok code/],
    ['a codeless HTTP 403 (a firewall)', { httpStatus: 403 }, /^HTTP 403 without a TikTok code/],
    [
      'a codeless HTTP 404 (a wrong base URL)',
      { httpStatus: 404 },
      /^HTTP 404 without a TikTok code/,
    ],
    ['a codeless HTTP 401', { httpStatus: 401 }, /^HTTP 401 without a TikTok code/],
    ['a codeless HTTP 502', { httpStatus: 502 }, /^HTTP 502 without a TikTok code/],
    ['code 50000 (TikTok system error)', { code: 50000 }, /^code 50000/],
    ['a code the contract does not list', { code: 40999 }, /^code 40999/],
    ['code 40001 (no permission: the app, not the grant)', { code: 40001 }, /^code 40001/],
    ['code 40105 (about access tokens)', { code: 40105 }, /^code 40105/],
  ])('answered with %s', (_case, fault, described) => {
    it('keeps the account active, counts the failure, backs off and records the error', async () => {
      expect(await sweep(fault)).toMatchObject({ refreshed: 0, failed: 1 });
      const row = await account();
      expect(row).toMatchObject({ status: 'active', refresh_failures: 1 });
      expect(row.last_refresh_error).toMatch(described);
      expect(row.last_refresh_error_at).not.toBeNull();
      expect(row.refresh_failing_since).not.toBeNull();
      expect(row.refresh_refused_since).toBeNull();
      expect(row.refresh_retry_at!.getTime()).toBeGreaterThan(Date.now());
      expect(host.port.accountStatuses).toEqual([]);
    });

    it('never flags the account, however long it goes on', async () => {
      await sweep(fault);
      await timePasses(GRACE_SECONDS * 10);
      await sweep(fault);
      await timePasses(GRACE_SECONDS * 10);
      await sweep(fault);
      const row = await account();
      expect(row).toMatchObject({ status: 'active', refresh_failures: 3 });
      expect(host.port.accountStatuses).toEqual([]);
    });
  });

  describe.each([
    [40103, 'refresh token expired'],
    [40107, 'refresh token invalid'],
  ])('answered with the explicit refusal %i (%s)', (code) => {
    it('does not flag the account the first time, and retries before the grace runs out', async () => {
      expect(await sweep({ code })).toMatchObject({ refreshed: 0, failed: 1 });
      const row = await account();
      expect(row).toMatchObject({ status: 'active', refresh_failures: 1 });
      expect(row.last_refresh_error).toMatch(new RegExp(`^code ${code}`));
      expect(row.refresh_refused_since).not.toBeNull();
      expect(row.refresh_retry_at!.getTime()).toBeLessThanOrEqual(
        row.refresh_refused_since!.getTime() + GRACE_SECONDS * 1000,
      );
      expect(host.port.accountStatuses).toEqual([]);
    });

    it('does not flag the account when it repeats within the grace', async () => {
      await sweep({ code });
      await timePasses(GRACE_SECONDS - 60);
      await sweep({ code });
      expect(await account()).toMatchObject({ status: 'active', refresh_failures: 2 });
      expect(host.port.accountStatuses).toEqual([]);
    });

    it('flags the account and tells the host once it has repeated for the whole grace', async () => {
      await sweep({ code });
      await timePasses(GRACE_SECONDS);
      const before = await refreshCalls();
      await sweep({ code });
      const row = await account();
      expect(row.status).toBe('reauthorization_required');
      // Flagged by the failure itself: no worker got the account in between to try once more.
      expect(await refreshCalls()).toBe(before + 1);
      expect(row.refresh_failures).toBe(2);
      expect(row.status_reason).toMatch(new RegExp(`code ${code}`));
      expect(host.port.accountStatuses).toEqual([
        { inboxId: row.host_inbox_id, status: 'reauthorization_required' },
      ]);

      // A flagged account is left alone: the sweep does not call TikTok for it again.
      const calls = await refreshCalls();
      await host.db.query(`UPDATE tiktok_accounts SET refresh_retry_at = NULL`);
      expect(await sweep()).toMatchObject({ refreshed: 0, failed: 0 });
      expect(await refreshCalls()).toBe(calls);
    });

    it('is forgotten when a later refresh works', async () => {
      await sweep({ code });
      await timePasses(60);
      expect(await sweep()).toMatchObject({ refreshed: 1, failed: 0 });
      const row = await account();
      expect(row).toMatchObject({
        status: 'active',
        refresh_failures: 0,
        refresh_refused_since: null,
        refresh_failing_since: null,
        refresh_retry_at: null,
      });
      // The last error stays for diagnostics.
      expect(row.last_refresh_error).toMatch(new RegExp(`^code ${code}`));
    });
  });

  it('does not let a transient failure in between restart the grace of a refusal', async () => {
    await sweep({ code: 40107 });
    const refusedSince = (await account()).refresh_refused_since;
    await timePasses(GRACE_SECONDS / 2);
    await sweep({ httpStatus: 503 });
    await timePasses(GRACE_SECONDS / 2);
    await sweep({ code: 40107 });
    const row = await account();
    expect(row.status).toBe('reauthorization_required');
    expect(row.refresh_failures).toBe(3);
    expect(refusedSince).not.toBeNull();
  });

  it('counts failures in a row, warns the host once at the threshold and again when it recovers', async () => {
    await sweep({ httpStatus: 403 });
    await timePasses(1);
    await sweep({ code: 50000 });
    await timePasses(1);
    await sweep({ httpStatus: 404 });
    const row = await account();
    expect(row.refresh_failures).toBe(WARN_AFTER);
    expect(failing).toEqual([
      {
        inboxId: row.host_inbox_id,
        accountId: row.id,
        consecutiveFailures: WARN_AFTER,
        failingSince: row.refresh_failing_since,
        lastError: row.last_refresh_error,
      },
    ]);

    await timePasses(1);
    await sweep({ code: 50000 });
    await timePasses(1);
    expect((await account()).refresh_failures).toBe(WARN_AFTER + 1);
    expect(failing).toHaveLength(1);

    await sweep();
    expect(await account()).toMatchObject({ refresh_failures: 0, refresh_failing_since: null });
    expect(recovered).toEqual([
      { inboxId: row.host_inbox_id, accountId: row.id, failedAttempts: WARN_AFTER + 1 },
    ]);
  });

  it('leaves a diagnostic that TiktokDiagnostics reports: the run of failures and the last error', async () => {
    await sweep({ code: 40107 });
    await timePasses(1);
    await sweep({ httpStatus: 403 });
    const row = await account();
    const report = await host.app
      .get(TiktokDiagnostics)
      .run({ accountIds: [row.id], liveAccountLimit: 0 });
    const check = report.checks.find((c) => c.id === 'account_tokens');
    expect(check).toMatchObject({
      verdict: 'warn',
      facts: {
        refreshFailures: 2,
        refreshFailingSince: row.refresh_failing_since!.toISOString(),
        refreshRefusedSince: row.refresh_refused_since!.toISOString(),
        lastRefreshError: row.last_refresh_error,
      },
    });
    expect(check?.summary).toMatch(/HTTP 403 without a TikTok code/);
    expect(check?.fix).toMatch(/refused the refresh token since/);
  });

  it('backs off: the sweep leaves the account alone until its retry is due', async () => {
    await sweep({ httpStatus: 500 });
    const first = (await account()).refresh_retry_at!;
    const calls = await refreshCalls();
    expect(await sweep()).toMatchObject({ refreshed: 0, failed: 0 });
    expect(await refreshCalls()).toBe(calls);

    // The next failure waits twice as long.
    await timePasses(0);
    await sweep({ httpStatus: 500 });
    const second = await account();
    expect(second.refresh_failures).toBe(2);
    expect(second.refresh_retry_at!.getTime() - Date.now()).toBeGreaterThan(
      first.getTime() - second.last_refresh_error_at!.getTime(),
    );
  });

  it('makes a caller that needs a fresh token fail fast during the backoff, without calling TikTok', async () => {
    await sweep({ httpStatus: 502 });
    const { id } = await account();
    await host.db.query(`UPDATE tiktok_accounts SET access_token_expires_at = now()`);
    const calls = await refreshCalls();
    const attempt = host.app.get(TiktokTokenService).getAccessToken(id);
    await expect(attempt).rejects.toBeInstanceOf(TiktokRefreshFailedError);
    await expect(attempt).rejects.toMatchObject({
      errorClass: 'transient',
      message: expect.stringMatching(/HTTP 502 without a TikTok code/),
    });
    expect(await refreshCalls()).toBe(calls);
  });

  it('reports a refusal within the grace to the caller as transient, not as a dead grant', async () => {
    const { id } = await account();
    await host.db.query(`UPDATE tiktok_accounts SET access_token_expires_at = now()`);
    await faults.plan({ path: REFRESH_PATH, code: 40107, times: 1 });
    const attempt = host.app.get(TiktokTokenService).getAccessToken(id);
    await expect(attempt).rejects.toBeInstanceOf(TiktokRefreshFailedError);
    await expect(attempt).rejects.toMatchObject({ errorClass: 'transient', code: 40107 });
    expect(await account()).toMatchObject({ status: 'active', refresh_failures: 1 });
  });
});

describe('A refused refresh with no grace configured', () => {
  let host: LibraryHost;

  beforeAll(async () => {
    host = await startLibraryHost('forRootAsync', { options: { refreshRefusalGraceSeconds: 0 } });
    await new SandboxControl(host.sandbox.url).queueConsent('nograce', 'business', 'approve');
    await followRedirects(`${host.url}/tiktok/oauth/authorize`);
  });

  afterAll(async () => {
    await host?.close();
  });

  it('flags the account at the first refusal', async () => {
    await host.db.query(
      `UPDATE tiktok_accounts SET access_token_expires_at = now() + interval '2 minutes'`,
    );
    await new SandboxFaults(host.sandbox.url).plan({ path: REFRESH_PATH, code: 40103, times: 1 });
    await host.app.get(TokenRefreshCron).sweep();
    const { rows } = await host.db.query(`SELECT status FROM tiktok_accounts`);
    expect(rows).toEqual([{ status: 'reauthorization_required' }]);
  });
});
