import type { PhaseResult } from './load-protocol';

export interface PhaseSummary {
  requests: number;
  reqPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  /** Answers other than 200, plus transport failures and timeouts. */
  errors: number;
  duplicateAnswers: number;
  elapsedMs: number;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function summarize(result: PhaseResult): PhaseSummary {
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  const ok = result.statuses['200'] ?? 0;
  return {
    requests: result.sent,
    reqPerSec: result.elapsedMs > 0 ? (result.sent * 1000) / result.elapsedMs : 0,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    errors: result.sent - ok,
    duplicateAnswers: result.duplicateAnswers,
    elapsedMs: result.elapsedMs,
  };
}

/** Left-aligned first column, right-aligned numbers. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export const fixed = (value: number, digits = 1): string =>
  Number.isFinite(value) ? value.toFixed(digits) : '-';

export const ratio = (value: number, base: number): string =>
  base > 0 && Number.isFinite(value) ? `${(value / base).toFixed(2)}x` : '-';
