import { cpus, loadavg, totalmem } from 'node:os';

/**
 * What `npm run bench` writes to bench/results/latest.json and renders into docs/BENCHMARKS.md.
 *
 * Every bench is a suite that reports its figures, each next to the reference it is judged
 * against (a baseline measured in the same run, or an ideal computed from the run's own settings),
 * the targets it must meet, and the bars of its chart. A new bench (processing, outbound) adds a
 * suite; nothing else in the format changes.
 */
export const RESULTS_SCHEMA_VERSION = 1;

export type FigureUnit = 'req/s' | 'events/s' | 'refreshes/s' | 'ms' | 's' | 'MB' | 'count';

export interface FigureReference {
  /** What the reference is, e.g. "baseline (node:http + pg)" or "ideal N × latency ÷ concurrency". */
  label: string;
  kind: 'baseline' | 'ideal';
  value: number;
}

export interface Figure {
  /** Stable id within the suite, e.g. `new-events.req-per-s`. */
  id: string;
  /** What was measured, e.g. "new events". */
  label: string;
  /** Who was measured, e.g. "library (demo helpdesk)". */
  subject: string;
  value: number;
  unit: FigureUnit;
  reference?: FigureReference;
  /** value ÷ reference.value, when there is a reference. */
  ratio?: number;
}

export interface Target {
  id: string;
  /** The target in words, as the issue states it. */
  description: string;
  /** The figure it is judged on (an id in the same suite). */
  figureId: string;
  /** `value <= limit` or `value >= limit`. */
  comparison: '<=' | '>=';
  limit: number;
  /** How the limit was derived, e.g. "1.3 × ideal (12.5 s)". */
  limitLabel: string;
  value: number;
  unit: FigureUnit;
  met: boolean;
}

export interface ChartBar {
  label: string;
  value: number;
  /** Colours the bar: what is measured, what it is compared with, and where the target lies. */
  role: 'measured' | 'reference' | 'limit';
}

export interface ChartGroup {
  title: string;
  unit: FigureUnit;
  bars: ChartBar[];
}

export interface SuiteResult {
  /** e.g. `token-sweep`, `webhook-ingest`. */
  id: string;
  title: string;
  /** What the suite measures and how, in a sentence or two (printed above its table). */
  description: string;
  config: Record<string, number | string | boolean>;
  figures: Figure[];
  targets: Target[];
  /** Correctness problems (never speed); any makes `npm run bench` exit non-zero. */
  failures: string[];
  chart: ChartGroup[];
  /** Remarks for the reader of this run's figures. */
  notes: string[];
  elapsedSeconds: number;
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  /** 1, 5 and 15 minute load averages: a busy shared machine shows here. */
  loadAverage: { atStart: number[]; atEnd: number[] };
}

export interface BenchResults {
  schemaVersion: number;
  startedAt: string;
  finishedAt: string;
  /** True when every suite ran (only such a run regenerates docs/BENCHMARKS.md). */
  complete: boolean;
  machine: MachineInfo;
  database: string;
  suites: SuiteResult[];
}

export function machineAtStart(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: Number((totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    loadAverage: { atStart: loadavg().map(round2), atEnd: [] },
  };
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** A figure compared with its reference (ratio filled in). */
export function figure(init: Omit<Figure, 'ratio' | 'value'> & { value: number }): Figure {
  const ratio =
    init.reference && init.reference.value !== 0 && Number.isFinite(init.reference.value)
      ? init.value / init.reference.value
      : undefined;
  return { ...init, ...(ratio === undefined ? {} : { ratio }) };
}

export function target(init: Omit<Target, 'met'>): Target {
  const met =
    Number.isFinite(init.value) &&
    (init.comparison === '<=' ? init.value <= init.limit : init.value >= init.limit);
  return { ...init, met };
}
