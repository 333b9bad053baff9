import { createHash } from 'node:crypto';

/**
 * TikTok's fields as they really arrive: ids as strings or numbers, timestamps in seconds,
 * milliseconds (sometimes fractional) or worse. Everything downstream sees one form.
 */

/** An id as a string: TikTok documents strings, some deliveries send numbers. */
export function readIdValue(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** Dates before this are not TikTok messages (and 0 or small values are seconds or garbage). */
const EARLIEST_MS = Date.UTC(2000, 0, 1);
/** A message may be stamped a little ahead of our clock; a day ahead is a wrong value. */
const MAX_AHEAD_MS = 24 * 60 * 60 * 1000;

export interface NormalisedTime {
  ms: number;
  /** Why the value was not used as it came; absent when it was. */
  note?: string;
}

/**
 * Seconds (below 1e11), milliseconds, or microseconds (1e14 and above) become whole milliseconds.
 * A missing, unreadable or implausible value becomes `fallbackMs` with a note: the event is kept
 * and ordered by when it arrived, never failed on an invalid date.
 */
export function normaliseTimestamp(
  value: unknown,
  fallbackMs: number,
  nowMs: number,
  name = 'timestamp',
): NormalisedTime {
  const number = numeric(value);
  if (number === null) {
    return {
      ms: fallbackMs,
      note: value === undefined ? undefined : `${name} unreadable: used the receive time`,
    };
  }
  let ms = number < 1e11 ? number * 1000 : number >= 1e14 ? number / 1000 : number;
  ms = Math.round(ms);
  if (!Number.isSafeInteger(ms) || ms < EARLIEST_MS || ms > nowMs + MAX_AHEAD_MS) {
    return {
      ms: fallbackMs,
      note: `${name} ${String(number)} out of range: used the receive time`,
    };
  }
  return { ms };
}

function numeric(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?(e[+-]?\d+)?\s*$/i.test(value)) {
    const number = Number(value);
    return Number.isFinite(number) ? number : null;
  }
  return null;
}

/** Longer keys are hashed: a btree entry must stay under ~2.7 KB, and a 5 KB id must not fail. */
const MAX_PLAIN_KEY = 200;

export function boundedKey(key: string): string {
  return key.length <= MAX_PLAIN_KEY
    ? key
    : `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/** Longest id kept in an indexed column; a longer one cannot be a TikTok id. */
export const MAX_INDEXED_ID = 512;
