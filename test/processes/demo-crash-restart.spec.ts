import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../apps/helpdesk/src/database/free-port';
import {
  readPostmasterLock,
  stopStalePostgres,
} from '../../apps/helpdesk/src/database/stale-postgres';
import type { DemoSecrets } from '../../apps/helpdesk/src/demo/demo-secrets';
import { signTiktokPayload } from '../../libs/tiktok-channel/src/testing';
import { startDemoProcess, type DemoProcess } from '../support/demo-process';
import { eventually, followRedirects } from '../support/e2e-harness';
import { HelpdeskClient, type InboxDto } from '../support/helpdesk-client';
import { SandboxControl } from '../support/sandbox-control';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

/** Reads the demo's own cluster through the port its lock file names (the demo prints no URL). */
async function withDemoDatabase<T>(
  pgDir: string,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const lock = readPostmasterLock(pgDir);
  if (!lock) throw new Error('the demo has no PostgreSQL running');
  const client = new Client({
    connectionString: `postgres://postgres:postgres@127.0.0.1:${lock.port}/postgres`,
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * `npm start` after a `kill -9`: the demo's embedded PostgreSQL outlives it (a separate process)
 * and holds `postmaster.pid`. The next start must find it, stop it and come back on the same data.
 */
describe('The demo helpdesk after a kill -9', () => {
  const dataDir = join(__dirname, '..', '..', '.data', `crash-${randomBytes(4).toString('hex')}`);
  const pgDir = join(dataDir, 'demo-pg');
  let demo: DemoProcess | undefined;
  let env: Record<string, string>;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    env = {
      DEMO_DATA_DIR: dataDir,
      TIKTOK_SANDBOX_PORT: String(await freePort()),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    };
  });

  afterAll(async () => {
    await demo?.kill9();
    // Whatever a failed run left: its PostgreSQL too, then the folder.
    if (existsSync(pgDir)) await stopStalePostgres(pgDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('restarts on the same data, stops the PostgreSQL the killed run left, and serves again', async () => {
    demo = await startDemoProcess({ port, env });
    // Loopback only unless HOST says otherwise; the admin comes from HELPDESK_ADMIN_* (no password shown).
    expect(demo.output()).toContain('(listening on 127.0.0.1; set HOST to change)');
    expect(demo.output()).toContain(
      `${demo.admin.email}  (from HELPDESK_ADMIN_EMAIL / HELPDESK_ADMIN_PASSWORD)`,
    );
    expect(demo.output()).not.toContain(demo.admin.password);
    const anonymous = await fetch(`${demo.url}/api/inboxes`);
    expect(anonymous.status).toBe(401);
    const helpdesk = new HelpdeskClient(demo.url);
    const sandbox = new SandboxControl(`http://127.0.0.1:${env.TIKTOK_SANDBOX_PORT}`);

    // A connected inbox with a customer's message in it.
    await sandbox.queueConsent('crashshop', 'business', 'approve');
    await followRedirects(`${demo.url}/tiktok/oauth/authorize`);
    const [inbox] = await helpdesk.inboxes();
    const customer = await sandbox.createUser('crash.fan', 'Fan');
    await sandbox.sendAsUser(customer, inbox.channel.businessId, 'before the crash');
    const conversation = await eventually(
      async () => (await helpdesk.conversations(inbox.id))[0],
      'the conversation',
    );
    await eventually(
      async () => (await helpdesk.messages(conversation.id)).length === 1,
      'the first message',
    );
    // The demo's data is durable: its PostgreSQL runs with fsync on.
    expect(
      await withDemoDatabase(pgDir, async (c) => (await c.query(`SHOW fsync`)).rows[0].fsync),
    ).toBe('on');

    const tiktokConversationId = await withDemoDatabase(
      pgDir,
      async (c) =>
        (
          await c.query(`SELECT tiktok_conversation_id FROM conversations WHERE id = $1`, [
            conversation.id,
          ])
        ).rows[0].tiktok_conversation_id as string,
    );
    const firstServer = readPostmasterLock(pgDir)!.pid;
    await demo.kill9();
    // The premise: the killed demo's PostgreSQL is still running and holds its lock file.
    expect(isAlive(firstServer)).toBe(true);
    expect(readPostmasterLock(pgDir)?.pid).toBe(firstServer);

    demo = await startDemoProcess({ port, env });
    expect(demo.output()).toContain(
      `Stopped the PostgreSQL an earlier run left behind (pid ${firstServer})`,
    );
    expect(isAlive(firstServer)).toBe(false);
    expect(readPostmasterLock(pgDir)?.pid).not.toBe(firstServer);

    // Its data is intact...
    const after = new HelpdeskClient(demo.url);
    const inboxes = await after.inboxes();
    expect(inboxes.map((i: InboxDto) => i.id)).toEqual([inbox.id]);
    expect((await after.messages(conversation.id)).map((m) => m.content)).toEqual([
      'before the crash',
    ]);

    // ...and it takes webhooks again, signed with the secrets it kept in its data folder (the
    // sandbox's own state file is tested in demo-sandbox-restart.spec.ts).
    const secrets = JSON.parse(
      readFileSync(join(dataDir, 'demo-secrets.json'), 'utf8'),
    ) as DemoSecrets;
    const body = Buffer.from(
      JSON.stringify({
        client_key: secrets.appId,
        event: 'im_receive_msg',
        create_time: Math.floor(Date.now() / 1000),
        user_openid: inbox.channel.businessId,
        content: JSON.stringify({
          conversation_id: tiktokConversationId,
          message_id: `msg_after_${randomBytes(4).toString('hex')}`,
          timestamp: Date.now(),
          type: 'text',
          text: { body: 'after the crash' },
          from: 'crash.fan',
          to: 'crashshop',
          from_user: { id: customer, role: 'personal_account' },
          to_user: { id: inbox.channel.businessId, role: 'business_account' },
        }),
      }),
    );
    const response = await fetch(`${demo.url}/tiktok/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'tiktok-signature': signTiktokPayload(
          secrets.appSecret,
          Math.floor(Date.now() / 1000),
          body,
        ),
      },
      body,
    });
    expect(response.status).toBe(200);
    await eventually(
      async () =>
        (await after.messages(conversation.id)).map((m) => m.content).join('|') ===
        'before the crash|after the crash',
      'the message sent after the restart',
    );

    // Ctrl-C still stops everything cleanly, PostgreSQL included.
    expect(await demo.stop()).toEqual({ code: 0, signal: null });
    expect(existsSync(join(pgDir, 'postmaster.pid'))).toBe(false);
  });
});
