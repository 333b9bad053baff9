import { Client } from 'pg';
import { generateDemoSecrets, type DemoSecrets } from '../../apps/helpdesk/src/demo/demo-secrets';
import { startSandbox, type RunningSandbox } from '../../apps/tiktok-sandbox/src';
import {
  startDemoCluster,
  type ConnectedBusiness,
  type DemoCluster,
} from '../support/demo-cluster';
import { eventually, get } from '../support/e2e-harness';
import { waitForProcessing } from '../support/processing-checks';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { runWebhookLoad, type WebhookLoadPlan } from '../support/webhook-load';

const PROCESSES = 3;
const BUSINESSES = 6;
const REFRESH_PATH = '/open_api/v1.3/tt_user/oauth2/refresh_token/';

/**
 * Three demo helpdesks as separate processes on one database and one sandbox, every sweep running
 * in each (every second), webhooks spread over them round-robin. PostgreSQL is the only thing they
 * share, so whatever holds here holds for any number of identical processes.
 */
describe('Three demo processes on one database', () => {
  let database: TestDatabase;
  let sandbox: RunningSandbox;
  let secrets: DemoSecrets;
  let cluster: DemoCluster;
  let sql: Client;
  let businesses: ConnectedBusiness[];

  const plan = (overrides: Partial<WebhookLoadPlan> = {}): WebhookLoadPlan => ({
    appId: secrets.appId,
    appSecret: secrets.appSecret,
    businesses,
    conversationsPerBusiness: 4,
    messagesPerConversation: 12,
    targets: cluster.members.map((member) => member.url),
    ...overrides,
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    secrets = generateDemoSecrets();
    sandbox = await startSandbox({ port: 0, appId: secrets.appId, appSecret: secrets.appSecret });
    cluster = await startDemoCluster({
      size: PROCESSES,
      databaseUrl: database.url,
      sandbox,
      secrets,
      env: {
        TIKTOK_TOKEN_REFRESH_INTERVAL_SECONDS: '1',
        TIKTOK_INBOUND_SWEEP_INTERVAL_SECONDS: '1',
      },
    });
    businesses = [];
    for (let i = 0; i < BUSINESSES; i++) {
      businesses.push(await cluster.connect(`multishop${i}`, i % PROCESSES));
    }
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
    await cluster?.close();
    await sandbox?.close();
    await database?.drop();
  });

  it('process every acknowledged event once, in order within its conversation, and refresh each account once per rotation', async () => {
    /**
     * Rotations while the load runs: every access token comes due at once, and the three
     * processes' sweeps race for them. Refresh tokens are single-use, so a second refresh of an
     * account in one rotation would be refused by the sandbox and show up as a failure.
     */
    const rotations = 3;
    const rotate = async () => {
      for (let r = 0; r < rotations; r++) {
        await sql.query(
          `UPDATE tiktok_accounts SET access_token_expires_at = now() + interval '2 minutes'`,
        );
        await eventually(
          async () => {
            const { rows } = await sql.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM tiktok_accounts
                WHERE access_token_expires_at > now() + interval '1 hour'`,
            );
            return rows[0].n === BUSINESSES;
          },
          `rotation ${r + 1} to refresh every account`,
          120_000,
        );
      }
    };
    // The host is stuck for a while (a lock on its messages table), so conversations pile up a
    // backlog that the three processes then work off together: order within a conversation is only
    // at stake when several of its events wait at once. Two busy conversations (40 messages each)
    // run beside the many quiet ones, so the backlog holds long runs of one conversation.
    const hostLock = new Client({ connectionString: database.url });
    await hostLock.connect();
    await hostLock.query(`BEGIN; LOCK TABLE messages IN EXCLUSIVE MODE`);
    const busy = { conversations: 2, messages: 40 };
    let released: Promise<unknown> | undefined;
    const [load, busyLoad] = await Promise.all([
      runWebhookLoad(plan()),
      runWebhookLoad(
        plan({
          businesses: businesses.slice(0, busy.conversations),
          conversationsPerBusiness: 1,
          messagesPerConversation: busy.messages,
          onAcknowledged: (acknowledged) => {
            if (acknowledged === busy.conversations * busy.messages * 0.75)
              released = hostLock.query('COMMIT');
          },
        }),
      ),
      rotate(),
    ]);
    await released;
    await hostLock.end();

    for (const run of [load, busyLoad]) {
      const outcome = await waitForProcessing(sql, run);
      // Every acknowledged event reached the host exactly once, in the order it was acknowledged.
      expect(Object.fromEntries(outcome.hostOrder)).toEqual(Object.fromEntries(run.acknowledged));
      expect(outcome.libraryStatuses).toEqual({ processed: run.total });
    }

    const stats = await get<{
      refreshesByBusiness: Record<string, number>;
      requests: Record<string, number>;
    }>(`${sandbox.url}/sandbox/stats`);
    expect(stats.refreshesByBusiness).toEqual(
      Object.fromEntries(businesses.map((b) => [b.businessId, rotations])),
    );
    // Not one refresh call more than that: no process spent a refresh token another had used.
    expect(stats.requests[REFRESH_PATH]).toBe(BUSINESSES * rotations);
    const { rows } = await sql.query(
      `SELECT DISTINCT status, refresh_failures FROM tiktok_accounts`,
    );
    expect(rows).toEqual([{ status: 'active', refresh_failures: 0 }]);
  });

  it('lose and duplicate no acknowledged event when one process is killed with kill -9 mid-load', async () => {
    const victim = cluster.members[1];
    const perConversation = 12;
    const total = BUSINESSES * 4 * perConversation;
    let killed: Promise<void> | undefined;
    const load = await runWebhookLoad(
      plan({
        messagesPerConversation: perConversation,
        onAcknowledged: (acknowledged) => {
          if (acknowledged === Math.floor(total / 2)) killed = victim.kill9();
        },
      }),
    );
    await killed;
    expect(await victim.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // Deliveries to the dead process failed and went to the others, as TikTok would retry them.
    expect(load.transportErrors).toBeGreaterThan(0);
    expect(load.total).toBe(total);

    const outcome = await waitForProcessing(sql, load);
    expect(Object.fromEntries(outcome.hostOrder)).toEqual(Object.fromEntries(load.acknowledged));
    expect(outcome.libraryStatuses).toEqual({ processed: load.total });
  });
});
