/**
 * Turning TikTok's JSON into something PostgreSQL's jsonb accepts, without losing anything: the raw
 * bytes are stored beside it, so every change made here is only to the searchable copy.
 */

/** Deeper than this, a subtree is replaced by a marker (jsonb and recursion both have limits). */
export const MAX_JSONB_DEPTH = 64;

export const DEPTH_MARKER = `[nested deeper than ${MAX_JSONB_DEPTH} levels: kept in raw_body]`;

/**
 * Integer ids longer than 15 digits lose precision as JS numbers. Before parsing, such a value of a
 * key named `id` or `..._id` is quoted, so `"message_id": 7301234567890123456` keeps its digits.
 * A quote escaped inside a JSON string is preceded by a backslash, so text bodies never match.
 */
const LONG_NUMERIC_ID = /"((?:[A-Za-z0-9_]*_)?id)"(\s*:\s*)(-?\d{16,})(?=\s*[,}\]])/g;

export function parseJsonKeepingIds(text: string): unknown {
  return JSON.parse(text.replace(LONG_NUMERIC_ID, '"$1"$2"$3"'));
}

export interface JsonbSafe {
  value: unknown;
  /** What had to change: NUL or lone surrogates replaced, nesting cut. Empty when nothing did. */
  changes: Set<string>;
}

/** A copy of `value` that jsonb stores: no NUL, no lone surrogate, bounded depth. */
export function toJsonbSafe(value: unknown): JsonbSafe {
  const changes = new Set<string>();
  return { value: convert(value, 0, changes), changes };
}

/** A high surrogate with no low one after it, or a low one with no high one before it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATE_ALL = new RegExp(LONE_SURROGATE.source, 'g');

export function jsonbSafeText(text: string, changes?: Set<string>): string {
  let safe = text;
  if (safe.includes('\u0000')) {
    safe = safe.replaceAll('\u0000', '\uFFFD');
    changes?.add('NUL characters replaced');
  }
  if (LONE_SURROGATE.test(safe)) {
    safe = safe.replace(LONE_SURROGATE_ALL, '\uFFFD');
    changes?.add('lone surrogates replaced');
  }
  return safe;
}

function convert(value: unknown, depth: number, changes: Set<string>): unknown {
  if (typeof value === 'string') return jsonbSafeText(value, changes);
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_JSONB_DEPTH) {
    changes.add(`nesting cut at ${MAX_JSONB_DEPTH} levels`);
    return DEPTH_MARKER;
  }
  if (Array.isArray(value)) return value.map((item) => convert(item, depth + 1, changes));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[jsonbSafeText(key, changes)] = convert(item, depth + 1, changes);
  }
  return out;
}
