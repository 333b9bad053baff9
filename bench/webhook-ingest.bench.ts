import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { generateDemoSecrets } from '../apps/helpdesk/src/demo/demo-secrets';
import { startBaselineProcess, type BaselineProcess } from './baseline-process';
import { processCpuMs, serverCpuMs } from './cpu';
import { startDemoProcess, type DemoProcess } from './demo-process';
import { buildDeliveries, type Delivery } from './events';
import { LoadGenerator } from './load';
import type { MemoryReport } from './memory-report';
import { startSandboxChild } from './sandbox-child';
import { summarize, type PhaseSummary } from './stats';

/**
 * POST /tiktok/webhook under load: the library (in the demo helpdesk) against a bare node:http +
 * pg baseline on the same PostgreSQL, with the same signed deliveries. Each target gets a warm-up,
 * a bounded phase of new events (real inserts) and a redelivery phase (the same events again:
 * the ON CONFLICT DO NOTHING path).
 */

export interface IngestConfig {
  concurrency: number;
  warmupRequests: number;
  /** New events per measured phase: the headline's 10,000 (a phase also stops after `maxSeconds`). */
  requests: number;
  maxSeconds: number;
  redeliveryMaxSeconds: number;
  /** Customers (one conversation each) the messages are spread over. */
  conversations: number;
  /** Upper bound for processing a phase's events; the bench goes on without it. */
  settleTimeoutMs: number;
  /** Steady load: open loop at this share of the baseline's new-event rate, for `steadySeconds`. */
  steadyShare: number;
  steadySeconds: number;
}

/** CPU spent during a phase (ms): the server's process and PostgreSQL (NaN if not ours). */
export interface CpuSpent {
  app: number;
  database: number;
}

export interface TargetResult {
  label: string;
  /** CPU of the new-events phase. */
  ingestCpu: CpuSpent;
  ingest: PhaseSummary;
  redelivery: PhaseSummary;
  /** Rows this target's deliveries added to its table, and how many distinct events it was sent. */
  rowsAdded: number;
  distinctSent: number;
  errorSamples: string[];
}

export interface ProcessingResult {
  /** New events of the headline phase (processing running). */
  events: number;
  /** From the first request sent to the last answer. */
  loadMs: number;
  /** From the first request sent until every one of them was a host message (NaN if never). */
  endToEndMs: number;
  /** Host messages of the phase already there when its load ended. */
  doneDuringLoad: number;
  /** The intake-alone phase's backlog, drained with nothing else running. */
  backlogEvents: number;
  backlogDrainMs: number;
  backlogCpu: CpuSpent;
  /** The demo's and PostgreSQL's CPU from the headline's first request until its last host message. */
  headlineCpu: CpuSpent;
  /** Rows of the library table by status at the end (all phases). */
  statuses: Record<string, number>;
  hostMessages: number;
}

export interface SteadyResult {
  offeredPerSec: number;
  seconds: number;
  ack: PhaseSummary;
  /** Events stored but not yet host messages when the load ended. */
  backlogAtEnd: number;
  /** How far the open-loop sender fell behind its schedule (the generator's own limit). */
  scheduleLagMs: number;
  /** Until the backlog was gone after the load (NaN if it never was within the timeout). */
  drainAfterMs: number;
}

export interface IngestReport {
  baseline: TargetResult;
  /** Processing paused (`InboundProcessor.pause()`): intake alone. */
  intakeAlone: TargetResult;
  /** Processing running: the headline phase. */
  library: TargetResult;
  processing: ProcessingResult;
  steady: SteadyResult;
  /** The demo process's RSS after the run, in MB: stable after full collections (the target). */
  rssMb: number;
  /** The demo process's memory (each part runs in a process of its own). */
  memory: {
    /** Started, business connected, collected: before any traffic. */
    afterStart: MemoryReport;
    /** After the run, processing settled, nothing collected on purpose. */
    idle: MemoryReport;
    /** After the run, collected until stable; `peakRssMb` is the whole run's high-water mark. */
    afterRun: MemoryReport;
  };
  /** Correctness problems found along the way (never about speed). */
  failures: string[];
}

const LIBRARY_TABLE = 'public.tiktok_webhook_events';
const BASELINE_TABLE = 'bench_baseline.tiktok_webhook_events';
const REQUEST_TIMEOUT_MS = 10_000;

/** Same columns, defaults, constraints and indexes as the library's table; its own id sequence. */
async function createBaselineTable(db: Client): Promise<void> {
  await db.query(`CREATE SCHEMA bench_baseline`);
  await db.query(`CREATE TABLE ${BASELINE_TABLE} (LIKE ${LIBRARY_TABLE} INCLUDING ALL)`);
  await db.query(
    `CREATE SEQUENCE bench_baseline.tiktok_webhook_events_id_seq OWNED BY ${BASELINE_TABLE}.id`,
  );
  await db.query(
    `ALTER TABLE ${BASELINE_TABLE} ALTER COLUMN id SET DEFAULT nextval('bench_baseline.tiktok_webhook_events_id_seq')`,
  );
}

async function countRows(db: Client, table: string): Promise<number> {
  return Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
}

async function statusCounts(db: Client): Promise<Record<string, number>> {
  const { rows } = await db.query<{ status: string; n: string }>(
    `SELECT status, count(*) AS n FROM ${LIBRARY_TABLE} GROUP BY status ORDER BY status`,
  );
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
}

/** Host messages so far: only the library's phases write them, one per distinct message. */
const hostMessages = (db: Client): Promise<number> => countRows(db, 'messages');

async function pendingCount(db: Client): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${LIBRARY_TABLE} WHERE status = 'pending'`,
  );
  return Number(rows[0].n);
}

/**
 * Polls (this is the bench, not a test) until `count()` reaches `expected`; the time when it did,
 * or NaN after `ms`. 100 ms between looks: the resolution of the end-to-end figure, at little cost to the run.
 */
async function waitUntil(
  count: () => Promise<number>,
  expected: number,
  ms: number,
): Promise<number> {
  const deadline = performance.now() + ms;
  for (;;) {
    if ((await count()) >= expected) return performance.now();
    if (performance.now() > deadline) return NaN;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A delivery whose signature does not match must be refused: proves both targets really verify. */
async function expectRejectsForgery(url: string, delivery: Delivery): Promise<string | null> {
  const forged = delivery.signature.replace(/s=([0-9a-f])/, (_, c: string) =>
    c === '0' ? 's=1' : 's=0',
  );
  const response = await fetch(`${url}/tiktok/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'tiktok-signature': forged },
    body: delivery.body,
  });
  await response.arrayBuffer();
  return response.status === 401
    ? null
    : `${url}: a forged signature got HTTP ${response.status}, not 401`;
}

export async function runWebhookIngestBench(
  databaseUrl: string,
  /** The embedded server's postmaster, for its CPU; undefined with DATABASE_URL. */
  serverPid: number | undefined,
  config: IngestConfig,
  log: (line: string) => void,
): Promise<IngestReport> {
  const failures: string[] = [];
  // Each server runs in a process of its own: its CPU is read from /proc by pid.
  const cpuNow = (pid: number): CpuSpent => ({
    app: processCpuMs(pid),
    database: serverCpuMs(serverPid),
  });
  const cpuSince = (pid: number, before: CpuSpent): CpuSpent => {
    const now = cpuNow(pid);
    return { app: now.app - before.app, database: now.database - before.database };
  };
  const closers: Array<() => Promise<void>> = [];
  try {
    log(
      'starting the TikTok sandbox and the demo helpdesk, each in a process of its own (migrations, connecting a business)…',
    );
    const secrets = generateDemoSecrets();
    const sandbox = await startSandboxChild(secrets.appId, secrets.appSecret);
    closers.push(() => sandbox.close());
    const library: DemoProcess = await startDemoProcess(databaseUrl, sandbox, secrets);
    closers.push(() => library.close());
    const afterStart = await library.memory({ collect: true });
    log(
      `demo process ${library.pid}: RSS ${afterStart.rssMb.toFixed(1)} MB after start (collected), heap ${afterStart.heapUsedMb.toFixed(1)} MB`,
    );

    const db = new Client({ connectionString: databaseUrl });
    db.on('error', () => undefined);
    await db.connect();
    closers.push(() => db.end());
    await createBaselineTable(db);

    const baseline: BaselineProcess = await startBaselineProcess({
      databaseUrl,
      table: BASELINE_TABLE,
      appSecret: library.appSecret,
      toleranceSeconds: 300,
      poolSize: 10,
    });
    closers.push(() => baseline.close());

    const load = await LoadGenerator.start();
    closers.push(() => load.close());

    const phase = (url: string, deliveries: Delivery[], maxRequests: number, maxMs: number) =>
      load.run({
        url,
        deliveries,
        concurrency: config.concurrency,
        maxRequests,
        maxMs,
        timeoutMs: REQUEST_TIMEOUT_MS,
      });

    const deliverySet = (setName: string) =>
      buildDeliveries({
        appId: library.appId,
        appSecret: library.appSecret,
        businessId: library.businessId,
        businessUsername: library.businessUsername,
        setName,
        count: config.warmupRequests + config.requests,
        conversations: config.conversations,
      });

    /** Warm-up, new events, redelivery; `afterWarmup`/`afterIngest` run outside the timings. */
    const measureTarget = async (
      label: string,
      pid: number,
      url: string,
      table: string,
      deliveries: Delivery[],
      hooks: { afterWarmup?: () => Promise<void>; afterIngest?: () => Promise<void> } = {},
    ): Promise<TargetResult> => {
      const forgery = await expectRejectsForgery(url, deliveries[0]);
      if (forgery) failures.push(forgery);
      const rowsBefore = await countRows(db, table);
      const warm = deliveries.slice(0, config.warmupRequests);
      const fresh = deliveries.slice(config.warmupRequests);

      log(`${label}: warm-up (${warm.length} new events)…`);
      const warmup = await phase(url, warm, warm.length, 10_000);
      await hooks.afterWarmup?.();
      log(`${label}: new events (up to ${config.requests} or ${config.maxSeconds} s)…`);
      const cpuBefore = cpuNow(pid);
      const ingest = await phase(url, fresh, config.requests, config.maxSeconds * 1000);
      const ingestCpu = cpuSince(pid, cpuBefore);
      await hooks.afterIngest?.();
      const again = fresh.slice(0, ingest.sent);
      log(`${label}: redelivery of the same ${again.length} events…`);
      const redelivery = await phase(url, again, again.length, config.redeliveryMaxSeconds * 1000);

      const rowsAdded = (await countRows(db, table)) - rowsBefore;
      const distinctSent = warmup.sent + ingest.sent;
      const result: TargetResult = {
        label,
        ingestCpu,
        ingest: summarize(ingest),
        redelivery: summarize(redelivery),
        rowsAdded,
        distinctSent,
        errorSamples: [...warmup.errorSamples, ...ingest.errorSamples, ...redelivery.errorSamples],
      };
      const warmErrors = summarize(warmup).errors;
      if (warmErrors > 0) failures.push(`${label}: ${warmErrors} failed warm-up requests`);
      if (rowsAdded !== distinctSent)
        failures.push(
          `${label}: ${distinctSent} distinct events sent but ${rowsAdded} rows stored`,
        );
      if (result.ingest.duplicateAnswers > 0)
        failures.push(`${label}: ${result.ingest.duplicateAnswers} new events answered duplicate`);
      const okRedeliveries = redelivery.statuses['200'] ?? 0;
      if (result.redelivery.duplicateAnswers !== okRedeliveries)
        failures.push(
          `${label}: ${okRedeliveries - result.redelivery.duplicateAnswers} redeliveries not answered duplicate`,
        );
      return result;
    };

    // Same deliveries for the baseline and the headline (different tables, so both really insert).
    const setA = deliverySet('a');
    const baselineResult = await measureTarget(
      'baseline (node:http + pg)',
      baseline.pid,
      baseline.url,
      BASELINE_TABLE,
      setA,
    );

    // Intake alone: the library's own pause option, nothing processed while the load runs.
    const processor = library;
    await processor.pause();
    const setB = deliverySet('b');
    const messagesAtStart = await hostMessages(db);
    const intakeAlone = await measureTarget(
      'library, processing paused (intake alone)',
      library.pid,
      library.url,
      LIBRARY_TABLE,
      setB,
    );
    // What processing alone does with that backlog (warm-up included), nothing else running.
    const processing: ProcessingResult = {
      events: 0,
      loadMs: 0,
      endToEndMs: NaN,
      doneDuringLoad: 0,
      backlogEvents: await pendingCount(db),
      backlogDrainMs: NaN,
      backlogCpu: { app: NaN, database: NaN },
      headlineCpu: { app: NaN, database: NaN },
      statuses: {},
      hostMessages: 0,
    };
    log(`library: processing the paused phase's ${processing.backlogEvents} events…`);
    const drainStart = performance.now();
    const drainCpu = cpuNow(library.pid);
    await processor.resume();
    const drained = await waitUntil(
      () => hostMessages(db),
      processing.backlogEvents + messagesAtStart,
      config.settleTimeoutMs,
    );
    processing.backlogDrainMs = drained - drainStart;
    processing.backlogCpu = cpuSince(library.pid, drainCpu);
    await processor.settle();
    if (!Number.isFinite(drained))
      failures.push("the paused phase's backlog was not processed in time");

    // Headline: the baseline's 10,000 again, to the library with processing running; the clock
    // runs from the first request until the last of them is a host message.
    const warmA = setA.slice(0, config.warmupRequests);
    log(
      `library: warm-up of the headline set (${warmA.length} events, processed before the clock)…`,
    );
    const beforeWarmA = await hostMessages(db);
    await phase(library.url, warmA, warmA.length, 10_000);
    await waitUntil(() => hostMessages(db), beforeWarmA + warmA.length, config.settleTimeoutMs);
    await processor.settle();
    const beforeA = await hostMessages(db);
    const freshA = setA.slice(config.warmupRequests);
    const rowsBefore = await countRows(db, LIBRARY_TABLE);
    log(`library: headline, ${freshA.length} new events with processing running…`);
    const t0 = performance.now();
    const headlineCpu = cpuNow(library.pid);
    const ingest = await phase(library.url, freshA, config.requests, config.maxSeconds * 1000);
    const ingestCpu = cpuSince(library.pid, headlineCpu);
    const loadEnd = performance.now();
    processing.doneDuringLoad = (await hostMessages(db)) - beforeA;
    const allVisible = await waitUntil(
      () => hostMessages(db),
      beforeA + ingest.sent,
      config.settleTimeoutMs,
    );
    processing.events = ingest.sent;
    processing.loadMs = loadEnd - t0;
    processing.endToEndMs = allVisible - t0;
    // Intake and processing together, until the last host message: what an event costs in all.
    processing.headlineCpu = cpuSince(library.pid, headlineCpu);
    if (!Number.isFinite(allVisible))
      failures.push(
        `the headline's events were not all host messages within ${config.settleTimeoutMs / 1000} s`,
      );
    const again = freshA.slice(0, ingest.sent);
    log(`library: redelivery of the same ${again.length} events…`);
    const redelivery = await phase(
      library.url,
      again,
      again.length,
      config.redeliveryMaxSeconds * 1000,
    );
    const libraryResult: TargetResult = {
      label: 'library (demo helpdesk, processing running)',
      ingestCpu,
      ingest: summarize(ingest),
      redelivery: summarize(redelivery),
      rowsAdded: (await countRows(db, LIBRARY_TABLE)) - rowsBefore,
      distinctSent: ingest.sent,
      errorSamples: [...ingest.errorSamples, ...redelivery.errorSamples],
    };
    if (libraryResult.rowsAdded !== libraryResult.distinctSent)
      failures.push(
        `headline: ${libraryResult.distinctSent} distinct events sent but ${libraryResult.rowsAdded} rows stored`,
      );
    if (libraryResult.ingest.duplicateAnswers > 0)
      failures.push(
        `headline: ${libraryResult.ingest.duplicateAnswers} new events answered duplicate`,
      );

    // Steady load: open loop at a share of the baseline's maximum; processing must keep up.
    const offered = Math.max(1, Math.round(baselineResult.ingest.reqPerSec * config.steadyShare));
    const setC = buildDeliveries({
      appId: library.appId,
      appSecret: library.appSecret,
      businessId: library.businessId,
      businessUsername: library.businessUsername,
      setName: 'c',
      count: Math.ceil(offered * config.steadySeconds * 1.05),
      conversations: config.conversations,
    });
    await processor.settle();
    const beforeC = await hostMessages(db);
    log(`library: steady load, ${offered} events/s open loop for ${config.steadySeconds} s…`);
    const steadyLoad = await load.run({
      url: library.url,
      deliveries: setC,
      concurrency: Math.max(64, config.concurrency),
      maxRequests: setC.length,
      maxMs: config.steadySeconds * 1000,
      timeoutMs: REQUEST_TIMEOUT_MS,
      ratePerSec: offered,
    });
    const steadyEnd = performance.now();
    const backlogAtEnd = steadyLoad.sent - ((await hostMessages(db)) - beforeC);
    const steadyDrained = await waitUntil(
      () => hostMessages(db),
      beforeC + steadyLoad.sent,
      config.settleTimeoutMs,
    );
    const steady: SteadyResult = {
      offeredPerSec: offered,
      seconds: config.steadySeconds,
      ack: summarize(steadyLoad),
      backlogAtEnd,
      scheduleLagMs: steadyLoad.scheduleLagMs,
      drainAfterMs: steadyDrained - steadyEnd,
    };
    if (steady.ack.errors > 0)
      failures.push(`steady load: ${steady.ack.errors} requests not answered 200`);

    await processor.settle();
    processing.statuses = await statusCounts(db);
    processing.hostMessages = await countRows(db, 'messages');
    const notProcessed = Object.entries(processing.statuses).filter(([s]) => s !== 'processed');
    if (notProcessed.length > 0)
      failures.push(`library events not processed at the end: ${JSON.stringify(notProcessed)}`);
    const sentOverall =
      intakeAlone.distinctSent +
      config.warmupRequests +
      libraryResult.distinctSent +
      steadyLoad.sent;
    if (processing.hostMessages !== sentOverall)
      failures.push(
        `${sentOverall} distinct messages sent to the library but ${processing.hostMessages} host messages`,
      );

    // The demo alone: first as the run left it, then what it keeps once garbage is collected.
    const idle = await library.memory({ collect: false });
    const afterRun = await library.memory({ collect: true });
    log(
      `demo process: RSS ${idle.rssMb.toFixed(1)} MB after the run, ${afterRun.rssMb.toFixed(1)} MB collected, peak ${afterRun.peakRssMb.toFixed(1)} MB`,
    );
    if (afterRun.sharpLoaded) log('demo process: sharp was loaded, though no image was prepared');

    return {
      baseline: baselineResult,
      intakeAlone,
      library: libraryResult,
      processing,
      steady,
      rssMb: afterRun.rssMb,
      memory: { afterStart, idle, afterRun },
      failures,
    };
  } finally {
    for (const close of closers.reverse()) {
      await close().catch((error: unknown) =>
        console.error(`bench clean-up: ${(error as Error).message}`),
      );
    }
  }
}
