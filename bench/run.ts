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
import { fixed, table } from './stats';
import { printOutboundReport } from './outbound-print';
import { outboundConfigFromEnv, runOutboundBench } from './outbound-send.bench';
import { outboundSuite } from './outbound-send.results';
import { runTokenSweepBench, type TokenSweepConfig } from './token-sweep.bench';
import { runWebhookIngestBench, type IngestConfig } from './webhook-ingest.bench';
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
    requests: intFromEnv('BENCH_REQUESTS', 10_000),
    maxSeconds: intFromEnv('BENCH_SECONDS', 60),
    redeliveryMaxSeconds: intFromEnv('BENCH_SECONDS', 60),
    conversations: intFromEnv('BENCH_CONVERSATIONS', 100),
    settleTimeoutMs: 120_000,
    steadyShare: 0.25,
    steadySeconds: intFromEnv('BENCH_STEADY_SECONDS', 30),
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
        const report = await runWebhookIngestBench(
          database.url,
          database.serverPid,
          ingestConfig,
          log,
        );
        errorAnswers += [report.baseline, report.library, report.intakeAlone].reduce(
          (sum, t) => sum + t.ingest.errors + t.redelivery.errors,
          0,
        );
        for (const t of [report.baseline, report.intakeAlone, report.library])
          for (const sample of t.errorSamples) console.log(`  ${t.label}: ${sample}`);
        const suite = webhookIngestSuite(report, ingestConfig, (performance.now() - t0) / 1000);
        printSuite(suite);
        results.push(suite);
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
