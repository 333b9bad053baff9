import type { OutboundReport, OutboundTarget } from './outbound-send.bench';
import { fixed, table } from './stats';

/** Prints the outbound bench's figures, its profile and the ideal from the same run. */

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

export function printOutboundReport(report: OutboundReport): void {
  const { config } = report;
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
}
