import { boundedKey, normaliseTimestamp, readIdValue } from './field-normalise';
import { DEPTH_MARKER, MAX_JSONB_DEPTH, parseJsonKeepingIds, toJsonbSafe } from './json-safe';

const NOW = Date.UTC(2026, 10, 25);

describe('normaliseTimestamp', () => {
  it.each([
    ['milliseconds', 1764000000123, 1764000000123],
    ['seconds', 1764000000, 1764000000000],
    ['fractional milliseconds', 1764000000123.6, 1764000000124],
    ['fractional seconds', 1764000000.5, 1764000000500],
    ['microseconds', 1764000000123456, 1764000000123],
    ['a numeric string', '1764000000', 1764000000000],
  ])('reads %s', (_name, value, expected) => {
    expect(normaliseTimestamp(value, 1, NOW)).toEqual({ ms: expected });
  });

  it.each([9e15, -1, 0, 1e308, 1000, NOW + 2 * 86_400_000, 'abc', null, true, Number.NaN])(
    'replaces %p with the fallback, with a note',
    (value) => {
      const result = normaliseTimestamp(value, 42, NOW);
      expect(result.ms).toBe(42);
      expect(result.note).toMatch(/out of range|unreadable/);
    },
  );

  it('uses the fallback without a note when there is no value', () => {
    expect(normaliseTimestamp(undefined, 42, NOW)).toEqual({ ms: 42, note: undefined });
  });
});

describe('ids and keys', () => {
  it('reads ids given as strings or numbers, and nothing else', () => {
    expect(readIdValue('m1')).toBe('m1');
    expect(readIdValue(42)).toBe('42');
    expect(readIdValue('')).toBeNull();
    expect(readIdValue({})).toBeNull();
    expect(readIdValue(Number.POSITIVE_INFINITY)).toBeNull();
  });

  it('keeps the digits of integer ids beyond double precision', () => {
    const parsed = parseJsonKeepingIds(
      '{"message_id":7301234567890123456,"from_user":{"id":6801234567890123456},"timestamp":1764000000123,"text":"\\"id\\":12345678901234567890"}',
    ) as Record<string, unknown>;
    expect(parsed.message_id).toBe('7301234567890123456');
    expect(parsed.from_user).toEqual({ id: '6801234567890123456' });
    expect(parsed.timestamp).toBe(1764000000123);
    expect(parsed.text).toBe('"id":12345678901234567890');
  });

  it('hashes long keys so they fit a btree entry', () => {
    expect(boundedKey('short')).toBe('short');
    expect(boundedKey('k'.repeat(5000))).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('toJsonbSafe', () => {
  it('replaces NUL and lone surrogates, in values and keys, and keeps pairs', () => {
    const { value, changes } = toJsonbSafe({
      'k\u0000': ['a\u0000b', 'x\ud800y', 'z\udc00', '😀'],
    });
    expect(value).toEqual({ 'k\uFFFD': ['a\uFFFDb', 'x\uFFFDy', 'z\uFFFD', '😀'] });
    expect([...changes].sort()).toEqual(['NUL characters replaced', 'lone surrogates replaced']);
  });

  it('cuts nesting deeper than the limit', () => {
    const deep = JSON.parse(`${'['.repeat(5000)}1${']'.repeat(5000)}`) as unknown;
    const { value, changes } = toJsonbSafe(deep);
    let level = value;
    let depth = 0;
    while (Array.isArray(level)) {
      level = level[0];
      depth++;
    }
    expect(depth).toBe(MAX_JSONB_DEPTH);
    expect(level).toBe(DEPTH_MARKER);
    expect(changes.size).toBe(1);
    expect(() => JSON.stringify(value)).not.toThrow();
  });
});
