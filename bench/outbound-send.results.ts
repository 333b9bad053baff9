import { figure, target, type SuiteResult } from './results';
import type { OutboundConfig, OutboundReport } from './outbound-send.bench';

/** The outbound bench as a suite of `npm run bench`'s results and page. */
export function outboundSuite(report: OutboundReport, elapsedSeconds: number): SuiteResult {
  const { config, baseline, library, idealMs } = report;
  const idealS = idealMs / 1000;
  const libraryS = library.wallMs / 1000;
  const baselineS = baseline.wallMs / 1000;
  const limit = 1.2 * idealS;
  const ideal = { label: 'ideal at 10 requests/s', kind: 'ideal' as const, value: idealS };
  const cpu = library.cpuMs;
  const perMessage = (ms: number | undefined) =>
    ms === undefined ? NaN : ms / Math.max(1, library.messages);
  return {
    id: 'outbound',
    title: 'Outbound sending',
    description:
      `${config.businesses} businesses × ${config.messagesPerBusiness} messages handed to the messenger at once ` +
      `(${config.conversationsPerBusiness} conversations each, a pool of ${config.poolSize}); the sandbox, in its ` +
      'own process, answers 40100 past 10 requests/s per business and sends an echo webhook for every ' +
      'message. Measured from the first send() until every message is reported sent through the port. ' +
      'The baseline sends the same texts straight to the sandbox, 100 ms apart per business, with no ' +
      'database and no echo webhooks.',
    config: { ...config } as OutboundConfig & Record<string, number>,
    figures: [
      figure({
        id: 'outbound.seconds',
        label: 'all messages sent and reported',
        subject: library.label,
        value: libraryS,
        unit: 's',
        reference: ideal,
      }),
      figure({
        id: 'outbound.baseline-seconds',
        label: 'all messages sent',
        subject: baseline.label,
        value: baselineS,
        unit: 's',
        reference: ideal,
      }),
      figure({
        id: 'outbound.handed-over',
        label: 'every send() answered (recorded, pending)',
        subject: library.label,
        value: (library.handedOverMs ?? NaN) / 1000,
        unit: 's',
      }),
      figure({
        id: 'outbound.latency-p50',
        label: 'recorded → sent, p50',
        subject: library.label,
        value: library.latencyMs?.p50 ?? NaN,
        unit: 'ms',
      }),
      figure({
        id: 'outbound.latency-p99',
        label: 'recorded → sent, p99',
        subject: library.label,
        value: library.latencyMs?.p99 ?? NaN,
        unit: 'ms',
      }),
      figure({
        id: 'outbound.rate-limited',
        label: '40100 answers',
        subject: library.label,
        value: library.rateLimited,
        unit: 'count',
      }),
      figure({
        id: 'outbound.statements-per-message',
        label: 'statements to PostgreSQL per message (echo ingest included)',
        subject: library.label,
        value: (library.statements?.total ?? NaN) / Math.max(1, library.messages),
        unit: 'count',
      }),
      figure({
        id: 'outbound.cpu-library',
        label: 'CPU per message: library process (echo ingest included)',
        subject: library.label,
        value: perMessage(cpu?.libraryProcess),
        unit: 'ms',
      }),
      figure({
        id: 'outbound.cpu-sandbox',
        label: 'CPU per message: sandbox (send and echo webhook)',
        subject: library.label,
        value: perMessage(cpu?.sandbox),
        unit: 'ms',
      }),
      figure({
        id: 'outbound.cpu-database',
        label: 'CPU per message: PostgreSQL',
        subject: library.label,
        value: perMessage(cpu?.database),
        unit: 'ms',
      }),
    ],
    targets: [
      target({
        id: 'outbound.time',
        description: `${config.businesses} businesses × ${config.messagesPerBusiness} messages in at most 1.2× the ideal at 10 requests per second`,
        figureId: 'outbound.seconds',
        comparison: '<=',
        limit,
        limitLabel: `1.2 × ${idealS.toFixed(2)} s`,
        value: libraryS,
        unit: 's',
      }),
      target({
        id: 'outbound.no-40100',
        description: 'zero 40100 answers',
        figureId: 'outbound.rate-limited',
        comparison: '<=',
        limit: 0,
        limitLabel: 'none',
        value: library.rateLimited,
        unit: 'count',
      }),
    ],
    failures: report.failures,
    chart: [
      {
        title: `Outbound: ${library.messages} messages, ${config.businesses} businesses at 10 requests/s each`,
        unit: 's',
        bars: [
          { label: 'ideal', value: idealS, role: 'reference' },
          { label: 'target (1.2 × ideal)', value: limit, role: 'limit' },
          { label: 'baseline', value: baselineS, role: 'reference' },
          { label: 'library', value: libraryS, role: 'measured' },
        ],
      },
      {
        title: 'Outbound: CPU per message',
        unit: 'ms',
        bars: [
          { label: 'library process', value: perMessage(cpu?.libraryProcess), role: 'measured' },
          { label: 'sandbox', value: perMessage(cpu?.sandbox), role: 'measured' },
          { label: 'PostgreSQL', value: perMessage(cpu?.database), role: 'measured' },
        ],
      },
    ],
    notes: [
      'The library, the sandbox and PostgreSQL share the machine: at 10 requests/s per business, ' +
        '100 businesses make 1,000 sends and 1,000 echo webhooks a second, and the CPU per message ' +
        'of the three parts says how many cores that takes.',
      'CPU figures come from /proc: they hold on a busy machine, where elapsed times stretch.',
    ],
    elapsedSeconds,
  };
}
