import {
  figure,
  target,
  type ChartGroup,
  type Figure,
  type FigureReference,
  type SuiteResult,
  type Target,
} from './results';
import type { PhaseSummary } from './stats';
import type { IngestConfig, IngestReport, TargetResult } from './webhook-ingest.bench';

const LATENCIES = [
  ['p50', (s: PhaseSummary) => s.p50],
  ['p95', (s: PhaseSummary) => s.p95],
  ['p99', (s: PhaseSummary) => s.p99],
] as const;

/** The demo's memory limit of issue 9, in MB. */
const RSS_LIMIT_MB = 250;

/** The demo process's memory: at start, at its peak, after the run (idle and collected). */
function memoryFigures(report: IngestReport, subject: string): Figure[] {
  const { afterStart, idle, afterRun } = report.memory;
  const limit: FigureReference = { label: 'limit', kind: 'ideal', value: RSS_LIMIT_MB };
  return [
    figure({
      id: 'memory.rss.after-start',
      label: 'RSS after start (business connected, collected, no traffic yet)',
      subject,
      value: afterStart.rssMb,
      unit: 'MB',
    }),
    figure({
      id: 'memory.rss.peak',
      label: 'RSS peak over the whole run (high-water mark)',
      subject,
      value: afterRun.peakRssMb,
      unit: 'MB',
      reference: limit,
    }),
    figure({
      id: 'memory.rss.idle',
      label: 'RSS after the run, processing settled, before any forced collection',
      subject,
      value: idle.rssMb,
      unit: 'MB',
      reference: limit,
    }),
    figure({
      id: 'memory.heap.used',
      label: 'V8 heap used after the run (collected)',
      subject,
      value: afterRun.heapUsedMb,
      unit: 'MB',
    }),
    figure({
      id: 'memory.heap.total',
      label: 'V8 heap reserved after the run (collected)',
      subject,
      value: afterRun.heapTotalMb,
      unit: 'MB',
    }),
    figure({
      id: 'memory.external',
      label: 'memory outside the V8 heap after the run (buffers, native code)',
      subject,
      value: afterRun.externalMb,
      unit: 'MB',
    }),
    figure({
      id: 'memory.heap.after-start',
      label: 'V8 heap used after start (collected)',
      subject,
      value: afterStart.heapUsedMb,
      unit: 'MB',
    }),
  ];
}

/** Every figure of the webhook bench, each next to the baseline's from the same run, and the targets. */
export function webhookIngestSuite(
  report: IngestReport,
  config: IngestConfig,
  elapsedSeconds: number,
): SuiteResult {
  const { baseline, intakeAlone, library, processing, steady } = report;
  const figures: Figure[] = [];
  const chart: ChartGroup[] = [];
  const subjects = [
    ['intake-alone', intakeAlone],
    ['library', library],
  ] as const;

  for (const [phaseId, phaseLabel, pick] of [
    ['new-events', 'new events', (t: TargetResult) => t.ingest],
    ['redelivery', 'redelivery', (t: TargetResult) => t.redelivery],
  ] as const) {
    const base = pick(baseline);
    const ref = (value: number): FigureReference => ({
      label: baseline.label,
      kind: 'baseline',
      value,
    });
    figures.push(
      figure({
        id: `${phaseId}.baseline.req-per-s`,
        label: `${phaseLabel} req/s`,
        subject: baseline.label,
        value: base.reqPerSec,
        unit: 'req/s',
      }),
      ...LATENCIES.map(([id, latency]) =>
        figure({
          id: `${phaseId}.baseline.${id}`,
          label: `${phaseLabel} ack ${id}`,
          subject: baseline.label,
          value: latency(base),
          unit: 'ms',
        }),
      ),
    );
    for (const [subjectId, subject] of subjects) {
      const summary = pick(subject);
      figures.push(
        figure({
          id: `${phaseId}.${subjectId}.req-per-s`,
          label: `${phaseLabel} req/s`,
          subject: subject.label,
          value: summary.reqPerSec,
          unit: 'req/s',
          reference: ref(base.reqPerSec),
        }),
        ...LATENCIES.map(([id, latency]) =>
          figure({
            id: `${phaseId}.${subjectId}.${id}`,
            label: `${phaseLabel} ack ${id}`,
            subject: subject.label,
            value: latency(summary),
            unit: 'ms',
            reference: ref(latency(base)),
          }),
        ),
      );
    }
    chart.push(
      {
        title: `Webhook intake, ${phaseLabel}: requests per second`,
        unit: 'req/s',
        bars: [
          { label: 'baseline', value: base.reqPerSec, role: 'reference' },
          { label: 'intake alone', value: pick(intakeAlone).reqPerSec, role: 'measured' },
          { label: 'processing running', value: pick(library).reqPerSec, role: 'measured' },
        ],
      },
      {
        title: `Webhook intake, ${phaseLabel}: ack latency`,
        unit: 'ms',
        bars: LATENCIES.flatMap(([id, latency]) => [
          { label: `baseline ${id}`, value: latency(base), role: 'reference' as const },
          { label: `alone ${id}`, value: latency(pick(intakeAlone)), role: 'measured' as const },
          { label: `running ${id}`, value: latency(pick(library)), role: 'measured' as const },
        ]),
      },
    );
  }

  const baseStoreS = baseline.ingest.elapsedMs / 1000;
  const endToEndS = processing.endToEndMs / 1000;
  const backlogRate =
    processing.backlogDrainMs > 0
      ? (processing.backlogEvents * 1000) / processing.backlogDrainMs
      : NaN;
  const baseRate = {
    label: `${baseline.label}, new events`,
    kind: 'baseline' as const,
    value: baseline.ingest.reqPerSec,
  };
  figures.push(
    figure({
      id: 'headline.baseline-store.s',
      label: `time to store ${baseline.ingest.requests} new events`,
      subject: baseline.label,
      value: baseStoreS,
      unit: 's',
    }),
    figure({
      id: 'headline.end-to-end.s',
      label: `time until all ${processing.events} are host messages (from the first request)`,
      subject: library.label,
      value: endToEndS,
      unit: 's',
      reference: { label: `${baseline.label}, storing them`, kind: 'baseline', value: baseStoreS },
    }),
    figure({
      id: 'headline.end-to-end.events-per-s',
      label: 'end to end: stored and turned into host messages',
      subject: library.label,
      value: endToEndS > 0 ? processing.events / endToEndS : NaN,
      unit: 'events/s',
      reference: baseRate,
    }),
    figure({
      id: 'headline.during-load',
      label: 'host messages already there when the load ended',
      subject: library.label,
      value: processing.doneDuringLoad,
      unit: 'count',
      reference: { label: 'events stored meanwhile', kind: 'ideal', value: processing.events },
    }),
    figure({
      id: 'processing.backlog.events-per-s',
      label: `processing alone: a backlog of ${processing.backlogEvents} drained`,
      subject: 'library, after the paused phase',
      value: backlogRate,
      unit: 'events/s',
      reference: baseRate,
    }),
    figure({
      id: 'steady.offered',
      label: `steady load offered (open loop, ${steady.seconds} s)`,
      subject: library.label,
      value: steady.offeredPerSec,
      unit: 'events/s',
      reference: baseRate,
    }),
    figure({
      id: 'steady.backlog',
      label: 'steady load: backlog when the load ended',
      subject: library.label,
      value: steady.backlogAtEnd,
      unit: 'count',
      reference: { label: "one second's arrivals", kind: 'ideal', value: steady.offeredPerSec },
    }),
    figure({
      id: 'steady.ack.p99',
      label: 'steady load ack p99',
      subject: library.label,
      value: steady.ack.p99,
      unit: 'ms',
    }),
    figure({
      id: 'steady.schedule-lag',
      label: 'steady load: how far the sender fell behind its schedule',
      subject: 'load generator',
      value: steady.scheduleLagMs,
      unit: 'ms',
    }),
    figure({
      id: 'memory.rss',
      label: 'RSS after the run (the demo process alone, collected until stable)',
      subject: library.label,
      value: report.rssMb,
      unit: 'MB',
      reference: { label: 'limit', kind: 'ideal', value: RSS_LIMIT_MB },
    }),
    ...memoryFigures(report, library.label),
  );

  // CPU per event: what each part costs whatever the neighbours do; the per-core figures of
  // docs/SCALING.md. Each server runs in a process of its own: the app figure is that process.
  const perEvent = (ms: number, events: number) => (events > 0 ? ms / events : NaN);
  for (const [id, subject, cpu, events] of [
    ['baseline-intake', baseline.label, baseline.ingestCpu, baseline.ingest.requests],
    ['intake-alone', intakeAlone.label, intakeAlone.ingestCpu, intakeAlone.ingest.requests],
    [
      'processing-alone',
      'library, processing the backlog',
      processing.backlogCpu,
      processing.backlogEvents,
    ],
  ] as const) {
    figures.push(
      figure({
        id: `cpu.${id}.app`,
        label: 'CPU per event, server process',
        subject,
        value: perEvent(cpu.app, events),
        unit: 'ms',
      }),
      figure({
        id: `cpu.${id}.database`,
        label: 'CPU per event, PostgreSQL',
        subject,
        value: perEvent(cpu.database, events),
        unit: 'ms',
      }),
    );
  }

  figures.push(
    ...(
      [
        ['app', 'demo process', processing.headlineCpu.app],
        ['database', 'PostgreSQL', processing.headlineCpu.database],
        [
          'total',
          'demo process + PostgreSQL',
          processing.headlineCpu.app + processing.headlineCpu.database,
        ],
      ] as const
    ).map(([id, part, ms]) =>
      figure({
        id: `cpu.headline.${id}`,
        label: `CPU per event across the headline (intake and processing, until the last host message), ${part}`,
        subject: library.label,
        value: perEvent(ms, processing.events),
        unit: 'ms',
      }),
    ),
  );

  const base = baseline.ingest;
  const targets: Target[] = [
    target({
      id: 'headline',
      description: `end to end: ${processing.events} events over ${config.conversations} conversations all host messages within 2× the baseline's time to store them`,
      figureId: 'headline.end-to-end.s',
      comparison: '<=',
      limit: 2 * baseStoreS,
      limitLabel: `2 × ${baseStoreS.toFixed(2)} s`,
      value: endToEndS,
      unit: 's',
    }),
    target({
      id: 'intake-alone.req-per-s',
      description: 'intake alone (processing paused): req/s at least 0.9× the baseline',
      figureId: 'new-events.intake-alone.req-per-s',
      comparison: '>=',
      limit: 0.9 * base.reqPerSec,
      limitLabel: `0.9 × ${base.reqPerSec.toFixed(0)} req/s`,
      value: intakeAlone.ingest.reqPerSec,
      unit: 'req/s',
    }),
    target({
      id: 'intake-alone.p99',
      description: 'intake alone (processing paused): ack p99 at most 1.3× the baseline',
      figureId: 'new-events.intake-alone.p99',
      comparison: '<=',
      limit: 1.3 * base.p99,
      limitLabel: `1.3 × ${base.p99.toFixed(1)} ms`,
      value: intakeAlone.ingest.p99,
      unit: 'ms',
    }),
    target({
      id: 'intake-running.req-per-s',
      description: 'intake with processing running: req/s at least 0.6× the baseline',
      figureId: 'new-events.library.req-per-s',
      comparison: '>=',
      limit: 0.6 * base.reqPerSec,
      limitLabel: `0.6 × ${base.reqPerSec.toFixed(0)} req/s`,
      value: library.ingest.reqPerSec,
      unit: 'req/s',
    }),
    target({
      id: 'intake-running.p99',
      description: 'intake with processing running: ack p99 at most 2× the baseline',
      figureId: 'new-events.library.p99',
      comparison: '<=',
      limit: 2 * base.p99,
      limitLabel: `2 × ${base.p99.toFixed(1)} ms`,
      value: library.ingest.p99,
      unit: 'ms',
    }),
    target({
      id: 'steady.backlog',
      description: `steady load at ${config.steadyShare}× the baseline's maximum, open loop ${steady.seconds} s: backlog at the end under one second of arrivals`,
      figureId: 'steady.backlog',
      comparison: '<=',
      limit: steady.offeredPerSec,
      limitLabel: `${steady.offeredPerSec} events = 1 s at ${steady.offeredPerSec}/s`,
      value: steady.backlogAtEnd,
      unit: 'count',
    }),
    target({
      id: 'memory.rss',
      description: `the demo process's RSS after the run at most ${RSS_LIMIT_MB} MB`,
      figureId: 'memory.rss',
      comparison: '<=',
      limit: RSS_LIMIT_MB,
      limitLabel: `${RSS_LIMIT_MB} MB`,
      value: report.rssMb,
      unit: 'MB',
    }),
  ];

  chart.push(
    {
      title: `Headline: ${processing.events} events, seconds until all are host messages`,
      unit: 's',
      bars: [
        { label: 'baseline: stored', value: baseStoreS, role: 'reference' },
        { label: 'library: host messages', value: endToEndS, role: 'measured' },
        { label: 'limit (2×)', value: 2 * baseStoreS, role: 'limit' },
      ],
    },
    {
      title: 'Processing: events per second, stored → host message',
      unit: 'events/s',
      bars: [
        { label: 'baseline ingest', value: base.reqPerSec, role: 'reference' },
        {
          label: 'end to end',
          value: endToEndS > 0 ? processing.events / endToEndS : NaN,
          role: 'measured',
        },
        { label: 'backlog alone', value: backlogRate, role: 'measured' },
      ],
    },
    {
      title: `Steady load ${steady.offeredPerSec}/s for ${steady.seconds} s: backlog at the end`,
      unit: 'count',
      bars: [
        { label: 'backlog', value: steady.backlogAtEnd, role: 'measured' },
        { label: 'limit (1 s)', value: steady.offeredPerSec, role: 'limit' },
      ],
    },
    {
      title: 'Memory of the demo process',
      unit: 'MB',
      bars: [
        { label: 'RSS after start', value: report.memory.afterStart.rssMb, role: 'measured' },
        { label: 'RSS peak', value: report.memory.afterRun.peakRssMb, role: 'measured' },
        { label: 'RSS after the run', value: report.rssMb, role: 'measured' },
        { label: 'limit', value: RSS_LIMIT_MB, role: 'limit' },
      ],
    },
  );

  return {
    id: 'webhook-ingest',
    title: 'Webhook intake and processing',
    description:
      'POST /tiktok/webhook with signed im_receive_msg deliveries over ' +
      `${config.conversations} conversations (closed loop, keep-alive, concurrency ${config.concurrency}): ` +
      'the library in the demo helpdesk against a bare node:http + pg server doing the same HMAC ' +
      'check and INSERT; intake alone (processing paused by `InboundProcessor.pause()`), the ' +
      'headline with processing running (until every event is a host message), then an open-loop ' +
      'steady load (see bench/README.md).',
    config: { ...config },
    figures,
    targets,
    failures: report.failures,
    chart,
    notes: [
      `headline: ${processing.doneDuringLoad} of ${processing.events} events were host messages when the load ended (${(processing.loadMs / 1000).toFixed(2)} s); all of them ${endToEndS.toFixed(2)} s after the first request`,
      `steady load: ${steady.ack.requests} events sent; the backlog was gone ${(steady.drainAfterMs / 1000).toFixed(2)} s after the load ended`,
      'the demo, the sandbox, the baseline server and the load generator each run in a process of their own: RSS and CPU of the demo are its process alone',
      `demo process memory after the run: ${report.memory.afterRun.heapUsedMb.toFixed(1)} MB of V8 heap used of ${report.memory.afterRun.heapTotalMb.toFixed(1)} MB, ${report.memory.afterRun.externalMb.toFixed(1)} MB external, ${report.memory.afterRun.collections} full collections before the reading; sharp loaded: ${report.memory.afterRun.sharpLoaded ? 'yes' : 'no'}`,
      `rows by status at the end: ${JSON.stringify(processing.statuses)}; host messages: ${processing.hostMessages}`,
    ],
    elapsedSeconds,
  };
}
