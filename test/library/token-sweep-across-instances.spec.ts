import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { TiktokChannelModule, TiktokTokenService } from '../../libs/tiktok-channel/src';
import { TokenCipher } from '../../libs/tiktok-channel/src/testing';
import { generateDemoSecrets } from '../../apps/helpdesk/src/demo/demo-secrets';
import { startSandbox, type RunningSandbox } from '../../apps/tiktok-sandbox/src';
import { eventually, get, post } from '../support/e2e-harness';
import { libraryTestModule } from '../support/library-host';
import { RecordingPort } from '../support/recording-port';
import { seedAccount } from '../support/seed-account';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const ACCOUNTS = 200;
const CONCURRENCY = 4;
const REFRESH_PATH = '/tt_user/oauth2/refresh_token/';

interface Grant {
  businessId: string;
  username: string;
  accessToken: string;
  refreshToken: string;
}

/**
 * Two app instances, each with its own connection pool, sweep one database: the claim is the
 * only coordination between them, as it would be between two processes.
 */
describe('The token refresh sweep in two app instances on one database', () => {
  let database: TestDatabase;
  let sandbox: RunningSandbox;
  let sql: Client;
  let first: INestApplicationContext;
  let second: INestApplicationContext;
  let businessIds: string[];

  async function instance(secrets: ReturnType<typeof generateDemoSecrets>) {
    return NestFactory.createApplicationContext(
      libraryTestModule({
        databaseUrl: database.url,
        channel: TiktokChannelModule.forRoot({
          appId: secrets.appId,
          appSecret: secrets.appSecret,
          apiBaseUrl: sandbox.apiBaseUrl,
          authorizeUrl: sandbox.authorizeUrl,
          redirectUri: 'http://127.0.0.1:9/tiktok/oauth/callback',
          tokenEncryptionKeys: secrets.tokenEncryptionKeys,
          resolveConnectContext: () => ({ tenant: 't1', returnUrl: '/' }),
          enableBackgroundJobs: false,
          tokenRefreshConcurrency: CONCURRENCY,
          helpdeskPort: RecordingPort,
        }),
      }),
      { logger: false },
    );
  }

  async function refreshesByBusiness(): Promise<Record<string, number>> {
    const body = await get<{ refreshesByBusiness: Record<string, number> }>(
      `${sandbox.url}/sandbox/stats`,
    );
    return body.refreshesByBusiness;
  }

  async function makeAllDue(): Promise<void> {
    await sql.query(
      `UPDATE tiktok_accounts SET access_token_expires_at = now() + interval '2 minutes'`,
    );
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    const secrets = generateDemoSecrets();
    sandbox = await startSandbox({ port: 0, appId: secrets.appId, appSecret: secrets.appSecret });
    first = await instance(secrets);
    second = await instance(secrets);
    sql = new Client({ connectionString: database.url });
    await sql.connect();

    const usernames = Array.from({ length: ACCOUNTS }, (_, i) => `shop${i}`);
    const { body } = await post<{ grants: Grant[] }>(`${sandbox.url}/sandbox/grants`, {
      usernames,
    });
    const cipher = new TokenCipher(secrets.tokenEncryptionKeys);
    for (const grant of body.grants) {
      await seedAccount(sql, {
        businessId: grant.businessId,
        username: grant.username,
        accessTokenEnc: cipher.encrypt(grant.accessToken),
        refreshTokenEnc: cipher.encrypt(grant.refreshToken),
        accessTokenExpiresIn: '2 minutes',
      });
    }
    businessIds = body.grants.map((grant) => grant.businessId);
  });

  afterAll(async () => {
    await sql?.end();
    await first?.close();
    await second?.close();
    await sandbox?.close();
    await database?.drop();
  });

  it('refreshes each due account exactly once, and one instance never waits for the other', async () => {
    // The first instance's workers get stuck inside TikTok's refresh call...
    await post(`${sandbox.url}/sandbox/holds`, { path: REFRESH_PATH, count: CONCURRENCY });
    const firstSweep = first.get(TiktokTokenService).refreshDueAccounts();
    await eventually(async () => {
      const body = await get<Record<string, number>>(`${sandbox.url}/sandbox/holds`);
      return body[REFRESH_PATH] === CONCURRENCY || undefined;
    }, 'the first instance to be inside TikTok with every worker');

    // ...holding no transaction, no pool connection and no lock while TikTok answers...
    const { rows: busy } = await sql.query(
      `SELECT state, wait_event_type FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()
          AND (state LIKE 'idle in transaction%' OR wait_event_type = 'Lock')`,
    );
    expect(busy).toEqual([]);

    // ...so the second instance sweeps everything else to the end while the first is stuck.
    const secondResult = await second.get(TiktokTokenService).refreshDueAccounts();
    expect(secondResult).toEqual({ refreshed: ACCOUNTS - CONCURRENCY, failed: 0 });

    await post(`${sandbox.url}/sandbox/holds/release`, { path: REFRESH_PATH });
    expect(await firstSweep).toEqual({ refreshed: CONCURRENCY, failed: 0 });

    const counts = await refreshesByBusiness();
    expect(Object.keys(counts).sort()).toEqual([...businessIds].sort());
    expect(new Set(Object.values(counts))).toEqual(new Set([1]));
    const { rows } = await sql.query(
      `SELECT count(*)::int AS n FROM tiktok_accounts
        WHERE status = 'active' AND refresh_lease_until IS NULL AND last_refreshed_at IS NOT NULL
          AND access_token_expires_at > now() + interval '1 hour'`,
    );
    expect(rows[0].n).toBe(ACCOUNTS);
  });

  it('splits the work when both instances sweep at the same time', async () => {
    await makeAllDue();
    await post(`${sandbox.url}/sandbox/latency`, { path: REFRESH_PATH, ms: 10 });
    const [a, b] = await Promise.all([
      first.get(TiktokTokenService).refreshDueAccounts(),
      second.get(TiktokTokenService).refreshDueAccounts(),
    ]);
    await post(`${sandbox.url}/sandbox/latency`, { path: REFRESH_PATH, ms: 0 });

    expect(a.failed + b.failed).toBe(0);
    expect(a.refreshed + b.refreshed).toBe(ACCOUNTS);
    const counts = await refreshesByBusiness();
    expect(new Set(Object.values(counts))).toEqual(new Set([2]));
  });
});
