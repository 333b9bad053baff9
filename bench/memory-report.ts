import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** A process's memory as it reports it, in MB. */
export interface MemoryReport {
  rssMb: number;
  /** The most the process has held since it started (the kernel's high-water mark). */
  peakRssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  /** Outside the V8 heap: buffers, native add-ons' allocations. */
  externalMb: number;
  arrayBuffersMb: number;
  /** Full collections run before the reading (0: none was asked for). */
  collections: number;
  /** Whether sharp (libvips, ~20 MB) has been loaded: it should be only once an image is prepared. */
  sharpLoaded: boolean;
}

const MB = 1024 * 1024;
/** RSS readings this close (MB) after two collections in a row count as stable. */
const STABLE_WITHIN_MB = 0.5;
const MAX_COLLECTIONS = 8;

function fullCollection(): () => void {
  if (typeof global.gc === 'function') return global.gc;
  // Started without --expose-gc: the flag can still be set, and a new context sees gc().
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function reading(collections: number): MemoryReport {
  const usage = process.memoryUsage();
  return {
    rssMb: usage.rss / MB,
    // maxRSS is in KiB.
    peakRssMb: (process.resourceUsage().maxRSS * 1024) / MB,
    heapUsedMb: usage.heapUsed / MB,
    heapTotalMb: usage.heapTotal / MB,
    externalMb: usage.external / MB,
    arrayBuffersMb: usage.arrayBuffers / MB,
    collections,
    sharpLoaded: Object.keys(require.cache).some((file) =>
      /[\\/]node_modules[\\/]sharp[\\/]/.test(file),
    ),
  };
}

/**
 * What this process keeps rather than garbage not collected yet: full collections, a short pause
 * between them for finalizers and freed pages, until the RSS stops moving.
 */
export async function memoryReport(options: { collect: boolean }): Promise<MemoryReport> {
  if (!options.collect) return reading(0);
  const gc = fullCollection();
  let previous = Number.POSITIVE_INFINITY;
  for (let collections = 1; ; collections++) {
    gc();
    await sleep(100);
    const now = reading(collections);
    if (Math.abs(now.rssMb - previous) < STABLE_WITHIN_MB || collections >= MAX_COLLECTIONS)
      return now;
    previous = now.rssMb;
  }
}
