import 'reflect-metadata';
import { cpus, loadavg, totalmem } from 'node:os';
import { findRepoRoot } from '../apps/helpdesk/src/demo/repo-root';
import { describeServer, openBenchDatabase } from './database';
import { fixed, ratio, table, type PhaseSummary } from './stats';
import {
  runWebhookIngestBench,
  type IngestConfig,
  type IngestReport,
  type TargetResult,
} from './webhook-ingest.bench';

/**
 * `npm run bench`: the TikTok webhook ingest path against its baseline, in one run on one
 * PostgreSQL. Prints figures; exits non-zero only when something answered wrongly, never on speed.
 */

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

function machine(): string {
  const list = cpus();
  const gib = (totalmem() / 1024 ** 3).toFixed(1);
  const load = loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
  return `${list.length} CPUs (${list[0]?.model.trim() ?? 'unknown'}), ${gib} GiB, node ${process.version}, ${process.platform}/${process.arch}, load average ${load}`;
}

function row(label: string, phase: string, s: PhaseSummary): string[] {
  return [
    label,
    phase,
    String(s.requests),
    fixed(s.reqPerSec, 0),
    fixed(s.p50, 2),
    fixed(s.p95, 2),
    fixed(s.p99, 2),
    String(s.errors),
  ];
}

function ratioRow(label: string, phase: string, s: PhaseSummary, base: PhaseSummary): string[] {
  return [
    label,
    phase,
    '',
    ratio(s.reqPerSec, base.reqPerSec),
    ratio(s.p50, base.p50),
    ratio(s.p95, base.p95),
    ratio(s.p99, base.p99),
    '',
  ];
}

function print(report: IngestReport, config: IngestConfig): void {
  const { baseline, library, libraryKickOff, processing } = report;
  const targets: TargetResult[] = [baseline, library, libraryKickOff];
  const header = ['target', 'phase', 'requests', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors'];
  const rows: string[][] = [];
  for (const [phase, pick] of [
    ['new events', (t: TargetResult) => t.ingest],
    ['redelivery', (t: TargetResult) => t.redelivery],
  ] as const) {
    for (const target of targets) rows.push(row(target.label, phase, pick(target)));
  }
  console.log('');
  console.log(
    `POST /tiktok/webhook — signed im_receive_msg deliveries, concurrency ${config.concurrency}, ` +
      `after ${config.warmupRequests} warm-up requests per target; new events: up to ${config.requests} ` +
      `or ${config.maxSeconds} s, then the same events redelivered (ON CONFLICT DO NOTHING)`,
  );
  console.log('');
  console.log(table(header, rows));
  console.log('');
  console.log(
    table(
      ['library ÷ baseline', 'phase', '', 'req/s', 'p50', 'p95', 'p99', ''],
      [
        ratioRow(library.label, 'new events', library.ingest, baseline.ingest),
        ratioRow(library.label, 'redelivery', library.redelivery, baseline.redelivery),
        ratioRow(libraryKickOff.label, 'new events', libraryKickOff.ingest, baseline.ingest),
        ratioRow(
          libraryKickOff.label,
          'redelivery',
          libraryKickOff.redelivery,
          baseline.redelivery,
        ),
      ],
    ),
  );

  const stored = processing.events;
  const totalS = (processing.loadMs + processing.settleMs) / 1000;
  console.log('');
  console.log('Library processing, stored → processed (demo helpdesk, one business connected):');
  console.log(
    `  during the load:  ${processing.doneDuringLoad} of ${stored} new events processed by the route's kicks in ${fixed(processing.loadMs / 1000, 2)} s`,
  );
  console.log(
    `  after the load:   ${processing.settleCalls} settle() call(s) processed ${processing.doneInSettle} more in ${fixed(processing.settleMs / 1000, 2)} s` +
      ` = ${fixed(processing.settleMs > 0 ? (processing.doneInSettle * 1000) / processing.settleMs : NaN, 0)} events/s${processing.settled ? '' : ' (did NOT settle)'}`,
  );
  console.log(
    `  end to end:       ${stored} events stored and processed in ${fixed(totalS, 2)} s = ${fixed(totalS > 0 ? stored / totalS : NaN, 0)} events/s` +
      ` (ingest alone: ${fixed(library.ingest.reqPerSec, 0)} req/s)`,
  );
  console.log(
    `  rows by status:   ${JSON.stringify(processing.statuses)} (warm-up included); helpdesk messages: ${processing.hostMessages}`,
  );

  console.log('');
  console.log('Stored rows (one per distinct event; redeliveries add none):');
  for (const target of targets) {
    console.log(
      `  ${target.label}: ${target.rowsAdded} rows stored for ${target.distinctSent} distinct events`,
    );
    for (const sample of target.errorSamples) console.log(`    error: ${sample}`);
  }
}

async function main(): Promise<number> {
  const config: IngestConfig = {
    concurrency: intFromEnv('BENCH_CONCURRENCY', 32),
    warmupRequests: intFromEnv('BENCH_WARMUP', 1500),
    requests: intFromEnv('BENCH_REQUESTS', 3000),
    maxSeconds: intFromEnv('BENCH_SECONDS', 15),
    redeliveryMaxSeconds: intFromEnv('BENCH_SECONDS', 15),
    conversations: intFromEnv('BENCH_CONVERSATIONS', 100),
    settleTimeoutMs: 30_000,
  };
  const started = Date.now();
  console.log(`bench: webhook ingest, ${new Date().toISOString()}`);
  console.log(`machine: ${machine()}`);

  // Ctrl-C while PostgreSQL starts reaches it too (same process group); after that, clean up here.
  const database = await openBenchDatabase(findRepoRoot(__dirname));
  const stop = () => {
    console.error('\ninterrupted: cleaning up…');
    void database.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    console.log(`database: ${await describeServer(database.url)}, ${database.source}`);
    const report = await runWebhookIngestBench(database.url, config, (line) =>
      console.log(`  ${line}`),
    );
    print(report, config);
    const errors = [report.baseline, report.library, report.libraryKickOff].reduce(
      (sum, t) => sum + t.ingest.errors + t.redelivery.errors,
      0,
    );
    console.log('');
    for (const failure of report.failures) console.log(`FAILED CHECK: ${failure}`);
    console.log(
      `${errors} error answers, ${report.failures.length} failed checks; total ${fixed((Date.now() - started) / 1000, 1)} s`,
    );
    return errors > 0 || report.failures.length > 0 ? 1 : 0;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('bench failed:', error);
    process.exit(1);
  },
);
