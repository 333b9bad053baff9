import { performance } from 'node:perf_hooks';
import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client } from 'pg';
import {
  TiktokChannelModule,
  TiktokTokenService,
  tiktokChannelEntities,
  tiktokChannelMigrations,
  type TiktokHelpdeskPort,
} from 'tiktok-channel';
import { TokenCipher } from 'tiktok-channel/testing';
import { generateDemoSecrets } from '../apps/helpdesk/src/demo/demo-secrets';
import { ownCpuMs, processCpuMs, serverCpuMs } from './cpu';
import { startSandboxChild, type SandboxChild } from './sandbox-child';
import { figure, target, type Figure, type SuiteResult } from './results';

/**
 * The token refresh sweep with many accounts due at once, against TikTok answering each refresh
 * after a fixed latency: how close the library comes to the ideal N × latency ÷ concurrency.
 */

export interface TokenSweepConfig {
  /** Accounts due at once. */
  accounts: number;
  /** The sandbox's latency on every refresh call. */
  latencyMs: number;
  /** `tokenRefreshConcurrency`: refresh calls one process runs at once. */
  concurrency: number;
  /** Calls the floor makes (its rate is steady long before N; its time for N is projected). */
  floorCalls: number;
}

const REFRESH_PATH = '/tt_user/oauth2/refresh_token/';
/**
 * Grants seeded per call: the sandbox takes up to 10,000 usernames, but its JSON body limit
 * (express's default 100 kB) refuses a list that long.
 */
const GRANT_BATCH = 2_000;

interface SeededGrant {
  businessId: string;
  username: string;
  accessToken: string;
  refreshToken: string;
}

/** Refreshing never reaches the host, and nothing here connects or receives messages. */
@Injectable()
class UnusedPort implements TiktokHelpdeskPort {
  private refuse(): never {
    throw new Error('the token sweep bench does not use the host port');
  }
  upsertInbox = async () => this.refuse();
  upsertContact = async () => this.refuse();
  openConversation = async () => this.refuse();
  appendMessage = async () => this.refuse();
  updateMessageStatus = async () => this.refuse();
  onAccountStatus = async () => this.refuse();
}

async function postJson<T>(url: string, body: unknown): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

async function seedGrants(sandbox: SandboxChild, prefix: string, count: number) {
  const grants: SeededGrant[] = [];
  for (let start = 0; start < count; start += GRANT_BATCH) {
    const usernames = Array.from(
      { length: Math.min(GRANT_BATCH, count - start) },
      (_, i) => `${prefix}${start + i}`,
    );
    const body = await postJson<{ grants: SeededGrant[] }>(`${sandbox.url}/sandbox/grants`, {
      usernames,
    });
    grants.push(...body.grants);
  }
  return grants;
}

/** The accounts as the library stores them after a connect, with access tokens already due. */
async function insertAccounts(db: Client, grants: SeededGrant[], cipher: TokenCipher) {
  for (let start = 0; start < grants.length; start += 1000) {
    const batch = grants.slice(start, start + 1000);
    await db.query(
      `INSERT INTO tiktok_accounts (tenant, host_inbox_id, business_id, username, display_name, status,
         access_token_enc, refresh_token_enc, access_token_expires_at, refresh_token_expires_at)
       SELECT 'bench', 'inbox-' || b, b, u, u, 'active', a, r,
              now() + interval '2 minutes', now() + interval '1 year'
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(b, u, a, r)`,
      [
        batch.map((g) => g.businessId),
        batch.map((g) => g.username),
        batch.map((g) => cipher.encrypt(g.accessToken)),
        batch.map((g) => cipher.encrypt(g.refreshToken)),
      ],
    );
  }
}

/**
 * The floor: the same refresh calls with the same concurrency straight to the sandbox (fetch,
 * keep-alive), with no database, lease, encryption or bookkeeping. Its grants are its own.
 */
async function runFloor(
  sandbox: SandboxChild,
  appId: string,
  appSecret: string,
  grants: SeededGrant[],
  concurrency: number,
): Promise<{ elapsedMs: number; latencies: number[]; errors: number }> {
  let next = 0;
  let errors = 0;
  const latencies: number[] = [];
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < grants.length; i = next++) {
      const sent = performance.now();
      const response = await fetch(`${sandbox.apiBaseUrl}tt_user/oauth2/refresh_token/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          client_id: appId,
          client_secret: appSecret,
          grant_type: 'refresh_token',
          refresh_token: grants[i].refreshToken,
        }),
      });
      const body = (await response.json()) as { code?: number; data?: { access_token?: string } };
      latencies.push(performance.now() - sent);
      if (body.code !== 0 || !body.data?.access_token) errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { elapsedMs: performance.now() - started, latencies, errors };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function startLibrary(
  databaseUrl: string,
  sandbox: SandboxChild,
  secrets: ReturnType<typeof generateDemoSecrets>,
  concurrency: number,
): Promise<INestApplicationContext> {
  @Module({
    imports: [
      TypeOrmModule.forRoot({
        type: 'postgres',
        url: databaseUrl,
        entities: tiktokChannelEntities,
        migrations: tiktokChannelMigrations,
        migrationsRun: true,
      }),
      TiktokChannelModule.forRoot({
        appId: secrets.appId,
        appSecret: secrets.appSecret,
        apiBaseUrl: sandbox.apiBaseUrl,
        authorizeUrl: sandbox.authorizeUrl,
        redirectUri: 'http://127.0.0.1:9/tiktok/oauth/callback',
        tokenEncryptionKeys: secrets.tokenEncryptionKeys,
        resolveConnectContext: () => ({ tenant: 'bench', returnUrl: '/' }),
        // The bench runs the sweep itself, once, and times it.
        enableBackgroundJobs: false,
        tokenRefreshConcurrency: concurrency,
        helpdeskPort: UnusedPort,
      }),
    ],
  })
  class TokenSweepBenchModule {}
  return NestFactory.createApplicationContext(TokenSweepBenchModule, { logger: ['error'] });
}

/** CPU spent by each part while `work` runs, in ms. */
async function measureCpu<T>(
  parts: { sandboxPid: number; serverPid?: number },
  work: () => Promise<T>,
): Promise<{ result: T; own: number; sandbox: number; database: number }> {
  const before = {
    own: ownCpuMs(),
    sandbox: processCpuMs(parts.sandboxPid),
    database: serverCpuMs(parts.serverPid),
  };
  const result = await work();
  return {
    result,
    own: ownCpuMs() - before.own,
    sandbox: processCpuMs(parts.sandboxPid) - before.sandbox,
    database: serverCpuMs(parts.serverPid) - before.database,
  };
}

export async function runTokenSweepBench(
  database: { url: string; serverPid?: number },
  config: TokenSweepConfig,
  log: (line: string) => void,
): Promise<SuiteResult> {
  const databaseUrl = database.url;
  const suiteStarted = performance.now();
  const failures: string[] = [];
  const closers: Array<() => Promise<void>> = [];
  const secrets = generateDemoSecrets();
  const { accounts: n, latencyMs, concurrency } = config;
  const floorCalls = Math.min(config.floorCalls, n);
  try {
    log('starting the TikTok sandbox (its own process) and the library…');
    const sandbox = await startSandboxChild(secrets.appId, secrets.appSecret);
    closers.push(() => sandbox.close());
    const library = await startLibrary(databaseUrl, sandbox, secrets, concurrency);
    closers.push(() => library.close());
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    closers.push(() => db.end());

    log(`seeding ${n} connected accounts for the library and ${floorCalls} grants for the floor…`);
    const libraryGrants = await seedGrants(sandbox, 'sweep', n);
    const floorGrants = await seedGrants(sandbox, 'floor', floorCalls);
    await insertAccounts(db, libraryGrants, new TokenCipher(secrets.tokenEncryptionKeys));
    await db.query('ANALYZE tiktok_accounts');
    await postJson(`${sandbox.url}/sandbox/latency`, { path: REFRESH_PATH, ms: latencyMs });

    log(`floor: ${floorCalls} refresh calls, ${concurrency} at a time, straight to the sandbox…`);
    const cpuParts = { sandboxPid: sandbox.pid, serverPid: database.serverPid };
    const floorRun = await measureCpu(cpuParts, () =>
      runFloor(sandbox, secrets.appId, secrets.appSecret, floorGrants, concurrency),
    );
    const floor = floorRun.result;
    if (floor.errors > 0) failures.push(`token sweep floor: ${floor.errors} refresh calls failed`);

    log(`library: TiktokTokenService.refreshDueAccounts() over ${n} due accounts…`);
    const tokens = library.get(TiktokTokenService);
    const started = performance.now();
    const libraryRun = await measureCpu(cpuParts, () => tokens.refreshDueAccounts());
    const outcome = libraryRun.result;
    const elapsedMs = performance.now() - started;
    await postJson(`${sandbox.url}/sandbox/latency`, { path: REFRESH_PATH, ms: 0 });

    // Correctness: each account refreshed exactly once, its new pair stored, nothing failed.
    if (outcome.refreshed !== n || outcome.failed !== 0) {
      failures.push(
        `token sweep: refreshed ${outcome.refreshed} and failed ${outcome.failed} of ${n} accounts`,
      );
    }
    const stats = await (await fetch(`${sandbox.url}/sandbox/stats`)).json();
    const perBusiness = (stats as { refreshesByBusiness: Record<string, number> })
      .refreshesByBusiness;
    const wrong = libraryGrants.filter((g) => perBusiness[g.businessId] !== 1).length;
    if (wrong > 0) failures.push(`token sweep: ${wrong} accounts were not refreshed exactly once`);
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM tiktok_accounts
        WHERE tenant = 'bench' AND refresh_failures = 0 AND refresh_lease_until IS NULL
          AND access_token_expires_at > now() + interval '1 hour'`,
    );
    if (rows[0].n !== n)
      failures.push(`token sweep: ${n - rows[0].n} accounts do not hold a fresh token pair`);

    const idealS = (n * latencyMs) / concurrency / 1000;
    const libraryS = elapsedMs / 1000;
    // The floor's time for N accounts, at the rate it kept over its own calls.
    const floorS = ((floor.elapsedMs / 1000) * n) / floorCalls;
    const idealRate = (concurrency * 1000) / latencyMs;
    const sorted = [...floor.latencies].sort((a, b) => a - b);
    const ideal = { label: 'ideal N × latency ÷ concurrency', kind: 'ideal' as const };
    const floorRef = { label: 'floor (bare refresh calls, projected)', kind: 'baseline' as const };
    const librarySubject = 'library (TiktokTokenService sweep)';
    const floorSubject = 'floor (fetch to the sandbox, no database)';
    const figures: Figure[] = [
      figure({
        id: 'sweep.seconds',
        label: 'sweep time',
        subject: librarySubject,
        value: libraryS,
        unit: 's',
        reference: { ...ideal, value: idealS },
      }),
      figure({
        id: 'sweep.seconds-vs-floor',
        label: 'sweep time',
        subject: librarySubject,
        value: libraryS,
        unit: 's',
        reference: { ...floorRef, value: floorS },
      }),
      figure({
        id: 'floor.seconds',
        label: 'sweep time',
        subject: floorSubject,
        value: floorS,
        unit: 's',
        reference: { ...ideal, value: idealS },
      }),
      figure({
        id: 'sweep.rate',
        label: 'refreshes per second',
        subject: librarySubject,
        value: n / libraryS,
        unit: 'refreshes/s',
        reference: { label: 'ideal concurrency ÷ latency', kind: 'ideal', value: idealRate },
      }),
      figure({
        id: 'floor.rate',
        label: 'refreshes per second',
        subject: floorSubject,
        value: n / floorS,
        unit: 'refreshes/s',
        reference: { label: 'ideal concurrency ÷ latency', kind: 'ideal', value: idealRate },
      }),
      ...([50, 95, 99] as const).map((p) =>
        figure({
          id: `floor.call-p${p}`,
          label: `refresh call p${p}`,
          subject: floorSubject,
          value: percentile(sorted, p),
          unit: 'ms',
          reference: { label: 'sandbox latency', kind: 'ideal', value: latencyMs },
        }),
      ),
    ];
    const perCall = (ms: number) => ms / n;
    const perFloorCall = (ms: number) => ms / floorCalls;
    figures.push(
      figure({
        id: 'cpu.library-process',
        label: 'CPU per refresh, in the calling process',
        subject: librarySubject,
        value: perCall(libraryRun.own),
        unit: 'ms',
        reference: {
          label: 'floor, its client',
          kind: 'baseline',
          value: perFloorCall(floorRun.own),
        },
      }),
      figure({
        id: 'cpu.database',
        label: 'CPU per refresh, in PostgreSQL',
        subject: librarySubject,
        value: perCall(libraryRun.database),
        unit: 'ms',
      }),
      figure({
        id: 'cpu.sandbox',
        label: 'CPU per refresh, in the sandbox',
        subject: librarySubject,
        value: perCall(libraryRun.sandbox),
        unit: 'ms',
        reference: { label: 'floor', kind: 'baseline', value: perFloorCall(floorRun.sandbox) },
      }),
      figure({
        id: 'cpu.total',
        label: 'CPU per refresh, all parts',
        subject: librarySubject,
        value: perCall(libraryRun.own + libraryRun.database + libraryRun.sandbox),
        unit: 'ms',
        reference: {
          label: 'floor',
          kind: 'baseline',
          value: perFloorCall(floorRun.own + floorRun.sandbox),
        },
      }),
    );
    const limit = 1.3 * idealS;
    return {
      id: 'token-sweep',
      title: 'Token refresh sweep',
      description:
        `${n} accounts due at once; the sandbox answers each refresh after ${latencyMs} ms; one ` +
        `process sweeps with tokenRefreshConcurrency ${concurrency} (claims with SKIP LOCKED, a lease ` +
        'per account, new pair encrypted and stored). The floor makes the same calls with the same ' +
        `concurrency and nothing else (${floorCalls} of them; its time for ${n} is projected from its rate).`,
      config: { ...config },
      figures,
      targets: [
        target({
          id: 'token-sweep.time',
          description: `${n} accounts due, ${latencyMs} ms per refresh: at most 1.3 × N × latency ÷ concurrency`,
          figureId: 'sweep.seconds',
          comparison: '<=',
          limit,
          limitLabel: `1.3 × ${idealS.toFixed(2)} s`,
          value: libraryS,
          unit: 's',
        }),
      ],
      failures,
      chart: [
        {
          title: `Token sweep: ${n} accounts, ${latencyMs} ms per refresh, concurrency ${concurrency}`,
          unit: 's',
          bars: [
            { label: 'ideal', value: idealS, role: 'reference' },
            { label: 'target (1.3 × ideal)', value: limit, role: 'limit' },
            { label: 'floor', value: floorS, role: 'reference' },
            { label: 'library', value: libraryS, role: 'measured' },
          ],
        },
        {
          title: 'Token sweep: refreshes per second',
          unit: 'refreshes/s',
          bars: [
            { label: 'ideal', value: idealRate, role: 'reference' },
            { label: 'floor', value: n / floorS, role: 'reference' },
            { label: 'library', value: n / libraryS, role: 'measured' },
          ],
        },
        {
          title: 'Token sweep: CPU per refresh',
          unit: 'ms',
          bars: [
            { label: 'floor: client', value: perFloorCall(floorRun.own), role: 'reference' },
            { label: 'floor: sandbox', value: perFloorCall(floorRun.sandbox), role: 'reference' },
            { label: 'library: process', value: perCall(libraryRun.own), role: 'measured' },
            { label: 'library: PostgreSQL', value: perCall(libraryRun.database), role: 'measured' },
            { label: 'library: sandbox', value: perCall(libraryRun.sandbox), role: 'measured' },
          ],
        },
        {
          title: 'Token sweep: one refresh call, seen by the floor',
          unit: 'ms',
          bars: [
            { label: 'sandbox latency', value: latencyMs, role: 'reference' },
            ...([50, 95, 99] as const).map((p) => ({
              label: `p${p}`,
              value: percentile(sorted, p),
              role: 'measured' as const,
            })),
          ],
        },
      ],
      notes: [
        'The sandbox runs in its own process; the library, PostgreSQL and the sandbox share the machine.',
        'CPU figures come from /proc: they hold on a busy machine, where elapsed times stretch.',
        `TypeORM's default pool (10 connections) serves the ${concurrency} refresh workers.`,
      ],
      elapsedSeconds: (performance.now() - suiteStarted) / 1000,
    };
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  }
}
