import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { generateDemoSecrets } from '../../apps/helpdesk/src/demo/demo-secrets';
import { startDemoProcess, type DemoProcess } from '../../bench/demo-process';
import { buildDeliveries } from '../../bench/events';
import { startSandboxChild, type SandboxChild } from '../../bench/sandbox-child';
import { eventually } from '../support/e2e-harness';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const ROOT = join(__dirname, '..', '..');
const EVENTS = 40;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The webhook bench's parts in processes of their own (bench/demo-worker, bench/sandbox-worker),
 * driven over IPC as `npm run bench` drives them: briefly, with a few signed webhooks.
 */
describe('Bench parts in child processes', () => {
  let database: TestDatabase;
  let sandbox: SandboxChild;
  let demo: DemoProcess;
  let sql: Client;

  const count = async (query: string): Promise<number> =>
    Number((await sql.query<{ n: string }>(query)).rows[0].n);

  beforeAll(async () => {
    database = await createTestDatabase();
    const secrets = generateDemoSecrets();
    sandbox = await startSandboxChild(secrets.appId, secrets.appSecret);
    demo = await startDemoProcess(database.url, sandbox, secrets);
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
    await demo?.close();
    await sandbox?.close();
    await database?.drop();
  });

  it('holds signed webhooks while paused and turns them into host messages once resumed', async () => {
    expect(demo.pid).not.toBe(process.pid);
    await demo.pause();
    const deliveries = buildDeliveries({
      appId: demo.appId,
      appSecret: demo.appSecret,
      businessId: demo.businessId,
      businessUsername: demo.businessUsername,
      setName: 'spec',
      count: EVENTS,
      conversations: 4,
    });
    for (const delivery of deliveries) {
      const response = await fetch(`${demo.url}/tiktok/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'tiktok-signature': delivery.signature },
        body: delivery.body,
      });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
    // Whatever the webhooks' kicks started has finished once settle() answers: none started.
    await demo.settle();
    expect(await count(`SELECT count(*) AS n FROM messages`)).toBe(0);
    expect(
      await count(`SELECT count(*) AS n FROM tiktok_webhook_events WHERE status = 'pending'`),
    ).toBe(EVENTS);

    await demo.resume();
    await demo.settle();
    expect(await count(`SELECT count(*) AS n FROM messages`)).toBe(EVENTS);
    expect(
      await count(`SELECT count(*) AS n FROM tiktok_webhook_events WHERE status <> 'processed'`),
    ).toBe(0);
  });

  it("reports the demo process's memory, collected until stable, without sharp loaded", async () => {
    const raw = await demo.memory({ collect: false });
    const collected = await demo.memory({ collect: true });
    expect(raw.collections).toBe(0);
    expect(collected.collections).toBeGreaterThanOrEqual(2);
    expect(collected.rssMb).toBeGreaterThan(0);
    expect(collected.peakRssMb).toBeGreaterThanOrEqual(collected.rssMb);
    expect(collected.heapUsedMb).toBeLessThanOrEqual(collected.heapTotalMb);
    // No image was prepared: sharp (~20 MB) must not be on the demo's start-up path.
    expect(collected.sharpLoaded).toBe(false);
  });

  it('exits when the bench lets go of it', async () => {
    const pid = demo.pid;
    await demo.close();
    expect(await demo.exited).toEqual({ code: 0, signal: null });
    expect(alive(pid)).toBe(false);
  });

  it('exits when the bench dies, even by SIGKILL', async () => {
    // A stand-in bench that starts a sandbox child, says its pid, and waits to be killed.
    const bench = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        './scripts/register-ts-paths.js',
        '-e',
        `require('./bench/sandbox-child').startSandboxChild('app', 'secret')
           .then((s) => console.log('CHILD ' + s.pid));
         setInterval(() => undefined, 1000);`,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const benchExited = new Promise((resolve) => bench.once('exit', resolve));
    const childPid = await new Promise<number>((resolve, reject) => {
      let output = '';
      bench.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const match = /CHILD (\d+)/.exec(output);
        if (match) resolve(Number(match[1]));
      });
      bench.once('exit', (code) => reject(new Error(`the stand-in bench exited (${code})`)));
    });
    expect(alive(childPid)).toBe(true);
    bench.kill('SIGKILL');
    await benchExited;
    await eventually(async () => !alive(childPid), `sandbox child ${childPid} to exit`, 30_000);
  });
});
