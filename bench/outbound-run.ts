import 'reflect-metadata';
import { cpus, loadavg, totalmem } from 'node:os';
import { findRepoRoot } from '../apps/helpdesk/src/demo/repo-root';
import { describeServer, openBenchDatabase } from './database';
import { runOutboundBench, type OutboundConfig, type OutboundTarget } from './outbound-send.bench';
import { fixed, table } from './stats';

/**
 * `npm run bench:outbound` (and the second half of `npm run bench`): 100 businesses × 50
 * messages at once through the messenger, against the sandbox's 10 requests per second per
 * business. Prints the wall time against the ideal at 10 rps and a baseline from the same run;
 * exits non-zero only on a 40100, a message not delivered exactly once, or one not reported sent.
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
  const load = loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
  return `${list.length} CPUs (${list[0]?.model.trim() ?? 'unknown'}), ${(totalmem() / 1024 ** 3).toFixed(1)} GiB, node ${process.version}, load average ${load}`;
}

function row(target: OutboundTarget, idealMs: number, baselineMs: number): string[] {
  return [
    target.label,
    String(target.messages),
    fixed(target.wallMs / 1000, 2),
    `${fixed(target.wallMs / idealMs, 2)}x`,
    `${fixed(target.wallMs / baselineMs, 2)}x`,
    fixed((target.messages * 1000) / target.wallMs, 0),
    String(target.rateLimited),
    JSON.stringify(target.deliveries),
  ];
}

async function main(): Promise<number> {
  const config: OutboundConfig = {
    businesses: intFromEnv('BENCH_BUSINESSES', 100),
    messagesPerBusiness: intFromEnv('BENCH_MESSAGES_PER_BUSINESS', 50),
    conversationsPerBusiness: intFromEnv('BENCH_CONVERSATIONS_PER_BUSINESS', 5),
    poolSize: intFromEnv('BENCH_POOL', 10),
    timeoutMs: intFromEnv('BENCH_TIMEOUT_SECONDS', 300) * 1000,
  };
  console.log(`bench: outbound sending, ${new Date().toISOString()}`);
  console.log(`machine: ${machine()}`);
  const database = await openBenchDatabase(findRepoRoot(__dirname));
  const stop = () => {
    console.error('\ninterrupted: cleaning up…');
    void database.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    console.log(`database: ${await describeServer(database.url)}, ${database.source}`);
    const report = await runOutboundBench(
      database.url,
      config,
      (line) => console.log(`  ${line}`),
      database.serverPid,
    );
    const { baseline, library, idealMs } = report;
    console.log('');
    console.log(
      `${config.businesses} businesses × ${config.messagesPerBusiness} messages at once ` +
        `(${config.conversationsPerBusiness} conversations each, a pool of ${config.poolSize} connections); ` +
        `the sandbox answers 40100 past 10 requests/s per business. ` +
        `Ideal at 10 rps: ${fixed(idealMs / 1000, 1)} s.`,
    );
    console.log('');
    console.log(
      table(
        [
          'target',
          'messages',
          'wall s',
          '÷ ideal',
          '÷ baseline',
          'msg/s',
          '40100s',
          'times delivered',
        ],
        [row(baseline, idealMs, baseline.wallMs), row(library, idealMs, baseline.wallMs)],
      ),
    );
    console.log('');
    console.log(
      `library: every send() answered (parts recorded, pending) after ${fixed((library.handedOverMs ?? 0) / 1000, 2)} s; ` +
        `${library.final} of ${library.messages} reported sent through the port.`,
    );
    if (library.latencyMs) {
      const l = library.latencyMs;
      console.log(
        `library: recorded → sent per message: p50 ${fixed(l.p50 / 1000, 2)} s, p95 ${fixed(l.p95 / 1000, 2)} s, p99 ${fixed(l.p99 / 1000, 2)} s, max ${fixed(l.max / 1000, 2)} s`,
      );
    }
    if (library.cpuMs) {
      const c = library.cpuMs;
      console.log(
        `library: CPU while sending: library process ${fixed(c.libraryProcess / 1000, 2)} s, ` +
          `sandbox ${fixed(c.sandbox / 1000, 2)} s, PostgreSQL ${fixed(c.database / 1000, 2)} s`,
      );
    }
    if (library.statements) {
      const s = library.statements;
      console.log(
        `library: ${s.total} statements to PostgreSQL while sending, ${fixed(s.total / library.messages, 1)} per message; the commonest (count, ms spent handing them to the socket):`,
      );
      for (const { statement, count, sendMs } of s.top) {
        console.log(
          `  ${String(count).padStart(7)} ${fixed(sendMs, 0).padStart(6)} ms  ${statement}`,
        );
      }
    }
    if (library.batches) {
      console.log(
        'library: batched statements (calls, batches, mean wait for a batch, mean round trip):',
      );
      for (const [name, b] of Object.entries(library.batches)) {
        console.log(
          `  ${name.padEnd(24)} ${String(b.calls).padStart(6)} ${String(b.batches).padStart(5)}  ` +
            `${fixed(b.queuedMs / Math.max(1, b.calls), 1)} ms  ${fixed(b.runMs / Math.max(1, b.batches), 1)} ms`,
        );
      }
    }
    console.log('');
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
