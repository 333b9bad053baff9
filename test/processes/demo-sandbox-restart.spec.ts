import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../apps/helpdesk/src/database/free-port';
import { DemoProcess, startDemoProcess } from '../support/demo-process';
import { TestDatabase, createTestDatabase } from '../support/test-database';

interface Grant {
  businessId: string;
  accessToken: string;
}

async function call<T>(url: string, method: 'GET' | 'POST', body?: unknown, headers = {}) {
  const response = await fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/**
 * Issue 8: after a demo restart every inbox said "Connected" while the sandbox had forgotten the
 * accounts. The demo now keeps the sandbox's state in its data folder: accounts, tokens and
 * conversations are still known after a Ctrl-C restart and after a kill -9.
 */
describe('The demo restarted: its TikTok sandbox still knows what it knew', () => {
  let dataDir: string;
  let database: TestDatabase;
  let env: Record<string, string>;
  let port: number;
  let sandboxUrl: string;
  let demo: DemoProcess | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'demo-sandbox-'));
    database = await createTestDatabase();
    port = await freePort();
    const sandboxPort = await freePort();
    sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    env = {
      DEMO_DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      TIKTOK_SANDBOX_PORT: String(sandboxPort),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    };
  });
  afterAll(async () => {
    await demo?.kill9();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function tokenWorks(grant: Grant): Promise<boolean> {
    const url = new URL(`${sandboxUrl}/open_api/v1.3/business/get/`);
    url.searchParams.set('business_id', grant.businessId);
    url.searchParams.set('fields', '["username"]');
    const { body } = await call<{ code: number }>(url.toString(), 'GET', undefined, {
      'Access-Token': grant.accessToken,
    });
    return body.code === 0;
  }

  async function grant(username: string): Promise<Grant> {
    const { body } = await call<{ grants: Grant[] }>(`${sandboxUrl}/sandbox/grants`, 'POST', {
      usernames: [username],
    });
    return body.grants[0];
  }

  it('keeps accounts, tokens and conversations across a Ctrl-C and a kill -9', async () => {
    demo = await startDemoProcess({ port, env });
    const first = await grant('restartshop');
    const { body: user } = await call<{ userId: string }>(`${sandboxUrl}/sandbox/users`, 'POST', {
      username: 'restart.fan',
    });
    const before = await call<{ conversationId: string; webhook: string }>(
      `${sandboxUrl}/sandbox/messages`,
      'POST',
      { fromUserId: user.userId, toBusinessId: first.businessId, text: 'before the restart' },
    );
    expect(before.status).toBe(201);

    expect((await demo.stop()).code).toBe(0);
    const stateFile = join(dataDir, 'tiktok-sandbox-state.json');
    expect(existsSync(stateFile)).toBe(true);

    demo = await startDemoProcess({ port, env });
    expect(demo.output()).toContain('tiktok-sandbox-state.json');
    expect(await tokenWorks(first)).toBe(true);
    const after = await call<{ conversationId: string; webhook: string }>(
      `${sandboxUrl}/sandbox/messages`,
      'POST',
      { fromUserId: user.userId, toBusinessId: first.businessId, text: 'after the restart' },
    );
    expect(after.status).toBe(201);
    expect(after.body.conversationId).toBe(before.body.conversationId);
    // The demo registered its webhook again, and the sandbox delivers to it.
    expect(after.body.webhook).toBe('queued');

    // A kill -9 skips the shutdown: what was saved shortly after each change is what remains.
    const second = await grant('killedshop');
    const deadline = Date.now() + 10_000;
    while (!readFileSync(stateFile, 'utf8').includes(second.accessToken)) {
      if (Date.now() > deadline) throw new Error('the second grant never reached the state file');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await demo.kill9();
    demo = await startDemoProcess({ port, env });
    expect(await tokenWorks(first)).toBe(true);
    expect(await tokenWorks(second)).toBe(true);
    expect((await demo.stop()).code).toBe(0);
    demo = undefined;
  });
});
