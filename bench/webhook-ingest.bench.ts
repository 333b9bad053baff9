import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import type { InboundProcessor } from 'tiktok-channel/testing';
import { startBaselineServer, type BaselineServer } from './baseline-server';
import { buildDeliveries, type Delivery } from './events';
import { startLibraryApp, type LibraryApp } from './library-app';
import { LoadGenerator } from './load';
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
  /** Measured new events per target (the phase also stops after `maxSeconds`). */
  requests: number;
  maxSeconds: number;
  redeliveryMaxSeconds: number;
  /** Customers (one conversation each) the messages are spread over. */
  conversations: number;
  /** Upper bound for one InboundProcessor.settle(); the bench goes on without it. */
  settleTimeoutMs: number;
}

export interface TargetResult {
  label: string;
  ingest: PhaseSummary;
  redelivery: PhaseSummary;
  /** Rows this target's deliveries added to its table, and how many distinct events it was sent. */
  rowsAdded: number;
  distinctSent: number;
  errorSamples: string[];
}

export interface ProcessingResult {
  /** New events of the measured phase. */
  events: number;
  loadMs: number;
  /** Measured events handled by the route's kicks while the load was running. */
  doneDuringLoad: number;
  settleMs: number;
  settled: boolean;
  /** settle() calls it took until nothing was due. */
  settleCalls: number;
  /** Handled inside settle() after the load. */
  doneInSettle: number;
  /** Rows of the library table by status after settle (warm-up + measured). */
  statuses: Record<string, number>;
  /** Rows in the helpdesk's `messages` table: one per processed message. */
  hostMessages: number;
}

export interface IngestReport {
  baseline: TargetResult;
  library: TargetResult;
  libraryKickOff: TargetResult;
  processing: ProcessingResult;
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

const doneCount = (statuses: Record<string, number>): number =>
  Object.entries(statuses).reduce((sum, [status, n]) => (status === 'pending' ? sum : sum + n), 0);

async function dueCount(db: Client): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${LIBRARY_TABLE} WHERE status = 'pending' AND next_attempt_at <= now()`,
  );
  return Number(rows[0].n);
}

/**
 * Calls InboundProcessor.settle() until no event is due, within `ms`. One call is not enough for a
 * backlog: settle() waits for one kick's drain, and a drain stops after 1000 events.
 */
async function settleAll(
  processor: InboundProcessor,
  db: Client,
  ms: number,
): Promise<{ settled: boolean; calls: number }> {
  const deadline = performance.now() + ms;
  let calls = 0;
  for (;;) {
    const left = deadline - performance.now();
    if (left <= 0) return { settled: false, calls };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(resolve, left, false)));
    calls++;
    const done = await Promise.race([processor.settle().then(() => true as const), timeout]);
    clearTimeout(timer);
    if (!done) return { settled: false, calls };
    if ((await dueCount(db)) === 0) return { settled: true, calls };
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
  config: IngestConfig,
  log: (line: string) => void,
): Promise<IngestReport> {
  const failures: string[] = [];
  const closers: Array<() => Promise<void>> = [];
  try {
    log('starting the TikTok sandbox and the demo helpdesk (migrations, connecting a business)…');
    const library: LibraryApp = await startLibraryApp(databaseUrl);
    closers.push(() => library.close());

    const db = new Client({ connectionString: databaseUrl });
    db.on('error', () => undefined);
    await db.connect();
    closers.push(() => db.end());
    await createBaselineTable(db);

    const baseline: BaselineServer = await startBaselineServer({
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
      const ingest = await phase(url, fresh, config.requests, config.maxSeconds * 1000);
      await hooks.afterIngest?.();
      const again = fresh.slice(0, ingest.sent);
      log(`${label}: redelivery of the same ${again.length} events…`);
      const redelivery = await phase(url, again, again.length, config.redeliveryMaxSeconds * 1000);

      const rowsAdded = (await countRows(db, table)) - rowsBefore;
      const distinctSent = warmup.sent + ingest.sent;
      const result: TargetResult = {
        label,
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

    // Same deliveries for the baseline and the library (different tables, so both really insert).
    const setA = deliverySet('a');
    const baselineResult = await measureTarget(
      'baseline (node:http + pg)',
      baseline.url,
      BASELINE_TABLE,
      setA,
    );

    // The library as deployed: each new event also kicks background processing in the process.
    const processing: ProcessingResult = {
      events: 0,
      loadMs: 0,
      doneDuringLoad: 0,
      settleMs: 0,
      settled: false,
      settleCalls: 0,
      doneInSettle: 0,
      statuses: {},
      hostMessages: 0,
    };
    let doneBeforeLoad = 0;
    const libraryResult = await measureTarget(
      'library (demo helpdesk)',
      library.url,
      LIBRARY_TABLE,
      setA,
      {
        afterWarmup: async () => {
          // Start the measured phase with processing idle (warm-up events handled).
          if (!(await settleAll(library.processor, db, config.settleTimeoutMs)).settled)
            failures.push('processing the warm-up events did not settle in time');
          doneBeforeLoad = doneCount(await statusCounts(db));
        },
        afterIngest: async () => {
          const doneAfterLoad = doneCount(await statusCounts(db));
          processing.doneDuringLoad = doneAfterLoad - doneBeforeLoad;
          log('library: settling the processing backlog (InboundProcessor.settle)…');
          const t0 = performance.now();
          const settle = await settleAll(library.processor, db, config.settleTimeoutMs);
          processing.settled = settle.settled;
          processing.settleCalls = settle.calls;
          processing.settleMs = performance.now() - t0;
          processing.statuses = await statusCounts(db);
          processing.doneInSettle = doneCount(processing.statuses) - doneAfterLoad;
          processing.hostMessages = await countRows(db, 'messages');
        },
      },
    );
    processing.events = libraryResult.ingest.requests;
    processing.loadMs = libraryResult.ingest.elapsedMs;
    if (!processing.settled)
      failures.push(
        `processing did not settle within ${config.settleTimeoutMs / 1000} s after the load`,
      );
    const notProcessed = Object.entries(processing.statuses).filter(([s]) => s !== 'processed');
    if (processing.settled && notProcessed.length > 0)
      failures.push(`library events not processed after settle: ${JSON.stringify(notProcessed)}`);

    // The same route with the kick made a no-op: ingest cost alone, no processing competing for
    // the CPU and the pool. A diagnostic, not how the library runs; those rows stay pending.
    const processor = library.processor;
    const kick = processor.kick;
    processor.kick = () => undefined;
    let kickOffResult: TargetResult;
    try {
      kickOffResult = await measureTarget(
        'library, kick off (ingest only)',
        library.url,
        LIBRARY_TABLE,
        deliverySet('b'),
      );
    } finally {
      processor.kick = kick;
    }

    return {
      baseline: baselineResult,
      library: libraryResult,
      libraryKickOff: kickOffResult,
      processing,
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
