import { FaultBook } from './faults';

interface Hold {
  waiting: Array<() => void>;
  /** How many more calls the hold may catch; later ones pass. */
  capacity: number;
}

/**
 * Planned slowness of Business API paths: a fixed latency on every call, or a hold that keeps
 * calls waiting until released. A hold lets a test observe a client mid-call (what it holds, who
 * else gets through) without guessing at timings.
 */
export class Slowdowns {
  private latencies = new Map<string, number>();
  private holds = new Map<string, Hold>();

  setLatency(path: string, ms: number): void {
    const key = FaultBook.normalizePath(path);
    if (ms > 0) this.latencies.set(key, ms);
    else this.latencies.delete(key);
  }

  /** Holds the next `count` calls of the path (every call when no count is given). */
  hold(path: string, count = Number.POSITIVE_INFINITY): void {
    const key = FaultBook.normalizePath(path);
    this.release(key);
    this.holds.set(key, { waiting: [], capacity: count });
  }

  /** Lets every held call of the path go on, and stops holding new ones. */
  release(path: string): number {
    const key = FaultBook.normalizePath(path);
    const hold = this.holds.get(key);
    this.holds.delete(key);
    for (const resume of hold?.waiting ?? []) resume();
    return hold?.waiting.length ?? 0;
  }

  /** How many calls each held path keeps waiting right now. */
  waiting(): Record<string, number> {
    return Object.fromEntries([...this.holds].map(([path, hold]) => [path, hold.waiting.length]));
  }

  /** Whether a latency or a hold is set for the path. */
  armed(apiPath: string): boolean {
    const key = FaultBook.normalizePath(apiPath);
    return this.latencies.has(key) || this.holds.has(key);
  }

  /** Resolves when the call may be answered. */
  async pass(apiPath: string): Promise<void> {
    const key = FaultBook.normalizePath(apiPath);
    const hold = this.holds.get(key);
    if (hold && hold.capacity > 0) {
      hold.capacity--;
      await new Promise<void>((resume) => hold.waiting.push(resume));
    }
    const latency = this.latencies.get(key);
    if (latency) await new Promise((resolve) => setTimeout(resolve, latency));
  }

  reset(): void {
    for (const path of [...this.holds.keys()]) this.release(path);
    this.latencies.clear();
  }
}
