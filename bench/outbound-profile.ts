import { performance } from 'node:perf_hooks';
import { Client } from 'pg';

/**
 * Counts the statements the library sends to PostgreSQL while the outbound bench runs, by the
 * statement's opening words (its first line, numbers stripped), so the report can say how many
 * round trips a message costs and which ones dominate. Patches pg's Client.query in this process
 * only; the bench's own statements are counted too, but run outside the measured window.
 */
export class StatementCounter {
  private readonly counts = new Map<string, number>();
  /** Milliseconds spent in the synchronous part of query() (building and writing it). */
  private readonly sendMs = new Map<string, number>();
  private counting = false;
  private restore: (() => void) | undefined;

  install(): void {
    if (this.restore) return;
    const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
    const original = proto.query;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const counter = this;
    proto.query = function (this: unknown, ...args: unknown[]) {
      if (!counter.counting) return original.apply(this, args);
      const started = performance.now();
      const result = original.apply(this, args);
      counter.count(args[0], performance.now() - started);
      return result;
    };
    this.restore = () => {
      proto.query = original;
    };
  }

  start(): void {
    this.counts.clear();
    this.sendMs.clear();
    this.counting = true;
  }

  stop(): void {
    this.counting = false;
  }

  uninstall(): void {
    this.restore?.();
    this.restore = undefined;
  }

  total(): number {
    let n = 0;
    for (const value of this.counts.values()) n += value;
    return n;
  }

  /** The most frequent statements, most first. */
  top(limit: number): Array<{ statement: string; count: number; sendMs: number }> {
    return [...this.counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([statement, count]) => ({ statement, count, sendMs: this.sendMs.get(statement) ?? 0 }));
  }

  private count(query: unknown, ms: number): void {
    const text =
      typeof query === 'string'
        ? query
        : typeof query === 'object' && query !== null && 'text' in query
          ? String((query as { text: unknown }).text)
          : '?';
    const key = text.replace(/\s+/g, ' ').trim().slice(0, 90).replace(/\d+/g, 'N');
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.sendMs.set(key, (this.sendMs.get(key) ?? 0) + ms);
  }
}
