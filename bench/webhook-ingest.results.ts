import { figure, type ChartGroup, type Figure, type SuiteResult } from './results';
import type { PhaseSummary } from './stats';
import type { IngestConfig, IngestReport, TargetResult } from './webhook-ingest.bench';

const PHASES = [
  ['new-events', 'new events', (t: TargetResult) => t.ingest],
  ['redelivery', 'redelivery', (t: TargetResult) => t.redelivery],
] as const;

const LATENCIES = [
  ['p50', (s: PhaseSummary) => s.p50],
  ['p95', (s: PhaseSummary) => s.p95],
  ['p99', (s: PhaseSummary) => s.p99],
] as const;

/** Every figure of the webhook ingest bench, each next to the baseline's from the same run. */
export function webhookIngestSuite(
  report: IngestReport,
  config: IngestConfig,
  elapsedSeconds: number,
): SuiteResult {
  const { baseline, library, libraryKickOff, processing } = report;
  const figures: Figure[] = [];
  const chart: ChartGroup[] = [];
  for (const [phaseId, phaseLabel, pick] of PHASES) {
    const base = pick(baseline);
    const ref = (value: number) => ({ label: baseline.label, kind: 'baseline' as const, value });
    figures.push(
      figure({
        id: `${phaseId}.baseline.req-per-s`,
        label: `${phaseLabel} req/s`,
        subject: baseline.label,
        value: base.reqPerSec,
        unit: 'req/s',
      }),
    );
    for (const [id, pickLatency] of LATENCIES) {
      figures.push(
        figure({
          id: `${phaseId}.baseline.${id}`,
          label: `${phaseLabel} ${id}`,
          subject: baseline.label,
          value: pickLatency(base),
          unit: 'ms',
        }),
      );
    }
    for (const [subjectId, subject] of [
      ['library', library],
      ['library-kick-off', libraryKickOff],
    ] as const) {
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
      );
      for (const [id, pickLatency] of LATENCIES) {
        figures.push(
          figure({
            id: `${phaseId}.${subjectId}.${id}`,
            label: `${phaseLabel} ${id}`,
            subject: subject.label,
            value: pickLatency(summary),
            unit: 'ms',
            reference: ref(pickLatency(base)),
          }),
        );
      }
    }
    chart.push({
      title: `Webhook ingest, ${phaseLabel}: requests per second`,
      unit: 'req/s',
      bars: [
        { label: 'baseline', value: base.reqPerSec, role: 'reference' },
        { label: 'library', value: pick(library).reqPerSec, role: 'measured' },
        { label: 'library, ingest only', value: pick(libraryKickOff).reqPerSec, role: 'measured' },
      ],
    });
    chart.push({
      title: `Webhook ingest, ${phaseLabel}: latency`,
      unit: 'ms',
      bars: LATENCIES.flatMap(([id, pickLatency]) => [
        { label: `baseline ${id}`, value: pickLatency(base), role: 'reference' as const },
        { label: `library ${id}`, value: pickLatency(pick(library)), role: 'measured' as const },
      ]),
    });
  }

  const afterLoadRate =
    processing.settleMs > 0 ? (processing.doneInSettle * 1000) / processing.settleMs : NaN;
  const totalS = (processing.loadMs + processing.settleMs) / 1000;
  const baseIngest = { label: `${baseline.label}, new events`, kind: 'baseline' as const };
  figures.push(
    figure({
      id: 'processing.during-load',
      label: 'events processed while the load ran',
      subject: library.label,
      value: processing.doneDuringLoad,
      unit: 'count',
      reference: { label: 'events stored meanwhile', kind: 'ideal', value: processing.events },
    }),
    figure({
      id: 'processing.after-load.events-per-s',
      label: 'processing after the load (stored → host message)',
      subject: library.label,
      value: afterLoadRate,
      unit: 'events/s',
      reference: { ...baseIngest, value: baseline.ingest.reqPerSec },
    }),
    figure({
      id: 'processing.end-to-end.events-per-s',
      label: 'end to end (ingest and processing)',
      subject: library.label,
      value: totalS > 0 ? processing.events / totalS : NaN,
      unit: 'events/s',
      reference: { ...baseIngest, value: baseline.ingest.reqPerSec },
    }),
  );
  chart.push({
    title: 'Processing: events per second, stored → host message',
    unit: 'events/s',
    bars: [
      { label: 'baseline ingest', value: baseline.ingest.reqPerSec, role: 'reference' },
      { label: 'after the load', value: afterLoadRate, role: 'measured' },
      {
        label: 'end to end',
        value: totalS > 0 ? processing.events / totalS : NaN,
        role: 'measured',
      },
    ],
  });

  return {
    id: 'webhook-ingest',
    title: 'Webhook ingest and processing',
    description:
      'POST /tiktok/webhook with signed im_receive_msg deliveries (closed loop, keep-alive): the ' +
      'library in the demo helpdesk against a bare node:http + pg server doing the same HMAC check ' +
      'and INSERT, then the processing of the stored events (see bench/README.md).',
    config: { ...config },
    figures,
    // The processing targets (end to end, intake, steady load, memory) come with the
    // processing rewrite; this suite reports the figures they will be judged on.
    targets: [],
    failures: report.failures,
    chart,
    notes: [
      `during the load ${processing.doneDuringLoad} of ${processing.events} new events were processed; ` +
        `${processing.settleCalls} settle() call(s) then processed ${processing.doneInSettle} more`,
    ],
    elapsedSeconds,
  };
}
