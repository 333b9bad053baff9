import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { findRepoRoot } from '../apps/helpdesk/src/demo/repo-root';
import { benchmarksPage } from './benchmarks-page';
import { renderChartPng } from './chart';
import { describeServer, openBenchDatabase } from './database';
import {
  RESULTS_SCHEMA_VERSION,
  machineAtStart,
  round2,
  type BenchResults,
  type SuiteResult,
} from './results';
import { fixed, ratio, table, type PhaseSummary } from './stats';
import { printOutboundReport } from './outbound-print';
import { outboundConfigFromEnv, runOutboundBench } from './outbound-send.bench';
import { outboundSuite } from './outbound-send.results';
import { runTokenSweepBench, type TokenSweepConfig } from './token-sweep.bench';
import {
  runWebhookIngestBench,
  type IngestConfig,
  type IngestReport,
  type TargetResult,
} from './webhook-ingest.bench';
import { webhookIngestSuite } from './webhook-ingest.results';

/**
 * `npm run bench`: every bench in one run on one PostgreSQL, each against its baseline or ideal
 * from the same run. Prints figures, writes them all to bench/results/latest.json and, when every
 * suite ran, regenerates docs/BENCHMARKS.md and its chart. Exits non-zero only when something
 * answered wrongly, never on speed. `npm run bench -- --only token-sweep` runs one suite.
 */

const SUITES = ['webhook-ingest', 'token-sweep', 'outbound'] as const;
type SuiteId = (typeof SUITES)[number];

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
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

function selectedSuites(): SuiteId[] {
  const at = process.argv.indexOf('--only');
  if (at === -1) return [...SUITES];
  const wanted = (process.argv[at + 1] ?? '').split(',').filter(Boolean);
  const unknown = wanted.filter((id) => !(SUITES as readonly string[]).includes(id));
  if (wanted.length === 0 || unknown.length > 0) {
    throw new Error(`--only takes a comma-separated list of: ${SUITES.join(', ')}`);
  }
  return wanted as SuiteId[];
}

function printSuite(suite: SuiteResult): void {
  console.log('');
  console.log(`${suite.title}: ${suite.description}`);
  console.log('');
  console.log(
    table(
      ['figure', 'measured by', 'value', 'compared with', 'its value', 'ratio'],
      suite.figures.map((f) => [
        f.label,
        f.subject,
        `${fixed(f.value, 2)} ${f.unit}`,
        f.reference?.label ?? '',
        f.reference ? `${fixed(f.reference.value, 2)} ${f.unit}` : '',
        f.ratio === undefined ? '' : `${fixed(f.ratio, 2)}x`,
      ]),
    ),
  );
  for (const t of suite.targets) {
    console.log(
      `target: ${t.description}: ${fixed(t.value, 2)} ${t.unit} ${t.comparison} ${fixed(t.limit, 2)} ${t.unit} (${t.limitLabel}): ${t.met ? 'MET' : 'NOT MET'}`,
    );
  }
  for (const note of suite.notes) console.log(`note: ${note}`);
}

async function main(): Promise<number> {
  const suites = selectedSuites();
  const ingestConfig: IngestConfig = {
    concurrency: intFromEnv('BENCH_CONCURRENCY', 32),
    warmupRequests: intFromEnv('BENCH_WARMUP', 1500),
    requests: intFromEnv('BENCH_REQUESTS', 3000),
    maxSeconds: intFromEnv('BENCH_SECONDS', 15),
    redeliveryMaxSeconds: intFromEnv('BENCH_SECONDS', 15),
    conversations: intFromEnv('BENCH_CONVERSATIONS', 100),
    settleTimeoutMs: 30_000,
  };
  const sweepConfig: TokenSweepConfig = {
    accounts: intFromEnv('BENCH_TOKEN_ACCOUNTS', 10_000),
    latencyMs: intFromEnv('BENCH_TOKEN_LATENCY_MS', 50),
    concurrency: intFromEnv('BENCH_TOKEN_CONCURRENCY', 8),
    floorCalls: intFromEnv('BENCH_TOKEN_FLOOR_CALLS', 2000),
  };
  const root = findRepoRoot(__dirname);
  const startedAt = new Date().toISOString();
  const started = Date.now();
  const machine = machineAtStart();
  console.log(`bench: ${suites.join(', ')}, ${startedAt}`);
  console.log(
    `machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, node ${machine.node}, ` +
      `${machine.platform}, load average ${machine.loadAverage.atStart.join(' ')}`,
  );

  // Ctrl-C while PostgreSQL starts reaches it too (same process group); after that, clean up here.
  const database = await openBenchDatabase(root);
  const stop = () => {
    console.error('\ninterrupted: cleaning up…');
    void database.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const results: SuiteResult[] = [];
  let errorAnswers = 0;
  let databaseNote: string;
  try {
    databaseNote = `${await describeServer(database.url)}, ${database.source}`;
    console.log(`database: ${databaseNote}`);
    for (const id of suites) {
      const t0 = performance.now();
      const log = (line: string) => console.log(`  ${line}`);
      if (id === 'webhook-ingest') {
        console.log('');
        console.log('webhook ingest:');
        const report = await runWebhookIngestBench(database.url, ingestConfig, log);
        print(report, ingestConfig);
        errorAnswers += [report.baseline, report.library, report.libraryKickOff].reduce(
          (sum, t) => sum + t.ingest.errors + t.redelivery.errors,
          0,
        );
        results.push(webhookIngestSuite(report, ingestConfig, (performance.now() - t0) / 1000));
      } else if (id === 'outbound') {
        console.log('');
        console.log('outbound sending:');
        const report = await runOutboundBench(
          database.url,
          outboundConfigFromEnv(),
          log,
          database.serverPid,
        );
        printOutboundReport(report);
        results.push(outboundSuite(report, (performance.now() - t0) / 1000));
      } else {
        console.log('');
        console.log('token refresh sweep:');
        const suite = await runTokenSweepBench(database, sweepConfig, log);
        printSuite(suite);
        results.push(suite);
      }
    }
  } finally {
    await database.close();
  }

  const failures = results.flatMap((suite) => suite.failures);
  const output: BenchResults = {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    startedAt,
    finishedAt: new Date().toISOString(),
    complete: suites.length === SUITES.length,
    machine: { ...machine, loadAverage: { ...machine.loadAverage, atEnd: loadavg().map(round2) } },
    database: databaseNote,
    suites: results,
  };
  const resultsDir = join(root, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const jsonFile = join(resultsDir, 'latest.json');
  writeFileSync(jsonFile, `${JSON.stringify(output, null, 2)}\n`);
  console.log('');
  console.log(`wrote ${relative(root, jsonFile)}`);
  if (output.complete) {
    const chartName = 'benchmarks.png';
    await renderChartPng(output, join(root, 'docs', chartName));
    writeFileSync(join(root, 'docs', 'BENCHMARKS.md'), benchmarksPage(output, chartName));
    console.log(`wrote docs/BENCHMARKS.md and docs/${chartName}`);
  } else {
    console.log('docs/BENCHMARKS.md is left as it was: only a run of every suite rewrites it');
  }
  for (const failure of failures) console.log(`FAILED CHECK: ${failure}`);
  console.log(
    `${errorAnswers} error answers, ${failures.length} failed checks; total ${fixed((Date.now() - started) / 1000, 1)} s`,
  );
  return errorAnswers > 0 || failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('bench failed:', error);
    process.exit(1);
  },
);
