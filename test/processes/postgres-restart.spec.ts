import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { freePort } from '../../apps/helpdesk/src/database/free-port';
import { stopStalePostgres } from '../../apps/helpdesk/src/database/stale-postgres';
import { generateDemoSecrets, type DemoSecrets } from '../../apps/helpdesk/src/demo/demo-secrets';
import { startSandbox, type RunningSandbox } from '../../apps/tiktok-sandbox/src';
import {
  startDemoCluster,
  type ConnectedBusiness,
  type DemoCluster,
} from '../support/demo-cluster';
import { startPostgresProcess, type PostgresProcess } from '../support/postgres-process';
import { waitForProcessing } from '../support/processing-checks';
import { runWebhookLoad } from '../support/webhook-load';

const PROCESSES = 3;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * PostgreSQL crashes in the middle of a load (an immediate shutdown: no checkpoint, every
 * connection cut, crash recovery at the next start) and comes back on the same port. Webhooks
 * that arrive meanwhile get 503 and are delivered again; the processes reconnect by themselves.
 */
describe('Three demo processes when PostgreSQL restarts mid-load', () => {
  const dataDir = join(
    __dirname,
    '..',
    '..',
    '.data',
    `pg-restart-${randomBytes(4).toString('hex')}`,
  );
  let port: number;
  let postgres: PostgresProcess;
  let databaseUrl: string;
  let sandbox: RunningSandbox;
  let secrets: DemoSecrets;
  let cluster: DemoCluster;
  let businesses: ConnectedBusiness[];

  beforeAll(async () => {
    port = await freePort();
    // The cluster's own server (fsync off: a throwaway), so that it can be crashed.
    postgres = await startPostgresProcess(dataDir, port);
    const admin = new Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query('CREATE DATABASE faults');
    await admin.end();
    const url = new URL(postgres.url);
    url.pathname = '/faults';
    databaseUrl = url.toString();

    secrets = generateDemoSecrets();
    sandbox = await startSandbox({ port: 0, appId: secrets.appId, appSecret: secrets.appSecret });
    cluster = await startDemoCluster({
      size: PROCESSES,
      databaseUrl,
      sandbox,
      secrets,
      env: { TIKTOK_INBOUND_SWEEP_INTERVAL_SECONDS: '1' },
    });
    businesses = [];
    for (let i = 0; i < 4; i++) businesses.push(await cluster.connect(`pgshop${i}`, i % PROCESSES));
  });

  afterAll(async () => {
    await cluster?.close();
    await sandbox?.close();
    await postgres?.stop();
    if (existsSync(dataDir)) await stopStalePostgres(dataDir).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** SIGQUIT to the postmaster: PostgreSQL's immediate shutdown, as close to a crash as it gets. */
  async function crashAndRestart(): Promise<void> {
    const crashed = postgres;
    process.kill(crashed.pid, 'SIGQUIT');
    while (isRunning(crashed.pid)) await sleep(20);
    await crashed.killOwner();
    // Down for a moment while webhooks keep coming, then back on the same port and data.
    await sleep(1000);
    postgres = await startPostgresProcess(dataDir, port);
  }

  it('lose and duplicate no acknowledged event, and every process carries on', async () => {
    const perConversation = 15;
    const total = businesses.length * 4 * perConversation;
    let restarted: Promise<void> | undefined;
    const load = await runWebhookLoad({
      appId: secrets.appId,
      appSecret: secrets.appSecret,
      businesses,
      conversationsPerBusiness: 4,
      messagesPerConversation: perConversation,
      targets: cluster.members.map((member) => member.url),
      onAcknowledged: (acknowledged) => {
        if (acknowledged === Math.floor(total / 3)) restarted = crashAndRestart();
      },
    });
    await restarted;
    expect(load.total).toBe(total);
    // The outage was seen: deliveries were refused (503) or cut, and delivered again.
    expect(load.attempts).toBeGreaterThan(total);

    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    try {
      const outcome = await waitForProcessing(sql, load);
      expect(Object.fromEntries(outcome.hostOrder)).toEqual(Object.fromEntries(load.acknowledged));
      expect(outcome.libraryStatuses).toEqual({ processed: load.total });
    } finally {
      await sql.end();
    }
    for (const member of cluster.members) expect(isRunning(member.pid)).toBe(true);
  });
});
