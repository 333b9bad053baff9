import { Client } from 'pg';
import { eventually, startHarness, type Harness } from '../support/e2e-harness';

/** Makes the suite's database refuse connections and drops the ones it has: the database is down. */
async function setDatabaseUp(databaseUrl: string, up: boolean): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = new Client({ connectionString: process.env.TEST_ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS ${up ? 'true' : 'false'}`);
    if (!up) {
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [name],
      );
    }
  } finally {
    await admin.end();
  }
}

describe('GET /health', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ backgroundJobs: false });
    // The harness's own SQL connection is cut with the rest; that is expected here.
    h.sql.on('error', () => undefined);
  });

  afterAll(async () => {
    await setDatabaseUp(h.db.url, true).catch(() => undefined);
    await h?.close().catch(() => undefined);
  });

  it('answers 200 with the channel up while the database works', async () => {
    const response = await fetch(`${h.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      info: {
        tiktok: {
          status: 'up',
          database: 'up',
          accounts: { active: 0, reauthorization_required: 0, disconnected: 0 },
        },
      },
    });
  });

  it('answers 503 while the database is down, and 200 again once it is back, without a secret', async () => {
    await setDatabaseUp(h.db.url, false);
    try {
      const response = await fetch(`${h.url}/health`);
      const text = await response.text();
      expect(response.status).toBe(503);
      expect(JSON.parse(text)).toMatchObject({
        status: 'error',
        error: { tiktok: { status: 'down', database: 'down' } },
      });
      expect(text).not.toContain(h.config.tiktok.appSecret);
      expect(text).not.toContain('postgres:');
    } finally {
      await setDatabaseUp(h.db.url, true);
    }
    await eventually(async () => (await fetch(`${h.url}/health`)).status === 200, 'health back');
  });
});
