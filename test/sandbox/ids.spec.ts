import { newId, takeRandom } from '../../apps/tiktok-sandbox/src/ids';

describe('sandbox ids', () => {
  it('never hands out the same random bytes twice, across pool refills', () => {
    // Each draw must be bytes no other draw got: 2,000 × 10 bytes spans several 8 KiB pools.
    const seen = new Set<string>();
    let total = 0;
    for (let n = 0; n < 2000; n++) {
      const bytes = takeRandom(10);
      expect(bytes).toHaveLength(10);
      seen.add(bytes.toString('hex'));
      total += bytes.length;
    }
    expect(seen.size).toBe(2000);
    expect(total).toBeGreaterThan(2 * 8192);
  });

  it('a draw is not changed by later draws (no bytes reused in place)', () => {
    const first = takeRandom(16);
    const copy = Buffer.from(first);
    for (let n = 0; n < 2000; n++) takeRandom(16);
    expect(first.equals(copy)).toBe(true);
  });

  it('serves a draw larger than the pool', () => {
    expect(takeRandom(10_000)).toHaveLength(10_000);
  });

  it('keeps the ids their shapes', () => {
    expect(newId.message()).toMatch(/^msg_[0-9a-f]{20}$/);
    expect(newId.event('read')).toMatch(/^read_[0-9a-f]{20}$/);
    expect(newId.conversation()).toMatch(/^conv_[A-Za-z0-9_-]{12}\+[A-Za-z0-9_-]{8}$/);
    expect(newId.requestId()).toMatch(/^\d{14}[0-9A-F]{16}$/);
    expect(newId.accessToken()).toMatch(/^act\.[0-9a-f]{48}$/);
    const numeric = Number(newId.numericMessage());
    expect(Number.isSafeInteger(numeric)).toBe(true);
    const ids = new Set(Array.from({ length: 1000 }, () => newId.message()));
    expect(ids.size).toBe(1000);
  });
});
