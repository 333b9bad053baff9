import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { findRepoRoot } from '../apps/helpdesk/src/demo/repo-root';
import { describeServer, openBenchDatabase } from './database';
import { printOutboundReport } from './outbound-print';
import { outboundConfigFromEnv, runOutboundBench } from './outbound-send.bench';
import { outboundSuite } from './outbound-send.results';
import { RESULTS_SCHEMA_VERSION, machineAtStart, round2, type BenchResults } from './results';

/**
 * `npm run bench:outbound`: the outbound suite of `npm run bench` alone. 100 businesses × 50
 * messages at once through the messenger, against the sandbox's 10 requests per second per
 * business. Prints the wall time against the ideal at 10 rps and a baseline from the same run,
 * with a profile (statements, batches, CPU), and writes bench/results/outbound.json (the format of
 * latest.json, one suite). Exits non-zero only on a 40100, a message not delivered exactly once,
 * or one not reported sent.
 */
async function main(): Promise<number> {
  const config = outboundConfigFromEnv();
  const root = findRepoRoot(__dirname);
  const startedAt = new Date().toISOString();
  const machine = machineAtStart();
  console.log(`bench: outbound sending, ${startedAt}`);
  console.log(
    `machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, node ${machine.node}, ` +
      `load average ${machine.loadAverage.atStart.join(' ')}`,
  );
  const database = await openBenchDatabase(root);
  const stop = () => {
    console.error('\ninterrupted: cleaning up…');
    void database.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const databaseNote = `${await describeServer(database.url)}, ${database.source}`;
    console.log(`database: ${databaseNote}`);
    const started = performance.now();
    const report = await runOutboundBench(
      database.url,
      config,
      (line) => console.log(`  ${line}`),
      database.serverPid,
    );
    printOutboundReport(report);
    const output: BenchResults = {
      schemaVersion: RESULTS_SCHEMA_VERSION,
      startedAt,
      finishedAt: new Date().toISOString(),
      complete: false,
      machine: {
        ...machine,
        loadAverage: { ...machine.loadAverage, atEnd: loadavg().map(round2) },
      },
      database: databaseNote,
      suites: [outboundSuite(report, (performance.now() - started) / 1000)],
    };
    const resultsDir = join(root, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    const jsonFile = join(resultsDir, 'outbound.json');
    writeFileSync(jsonFile, `${JSON.stringify(output, null, 2)}\n`);
    console.log(`wrote ${relative(root, jsonFile)}`);
    for (const failure of report.failures) console.log(`FAILED CHECK: ${failure}`);
    console.log(`${report.failures.length} failed checks`);
    return report.failures.length > 0 ? 1 : 0;
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
