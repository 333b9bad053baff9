import { setImmediate as tick } from 'node:timers/promises';
import { pumpRefreshes } from './refresh-pump';

/** A controllable world: due accounts, TikTok calls the test answers, stores the test finishes. */
function world(accounts: number, slots: number) {
  const due = Array.from({ length: accounts }, (_, i) => i);
  const calls: Array<{ account: number; answer: () => void }> = [];
  const stores: Array<{ batch: number[]; done: () => void }> = [];
  const claims: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const run = pumpRefreshes<number, string>({
    slots,
    claim: async (max) => {
      claims.push(max);
      return due.splice(0, max);
    },
    call: (account) =>
      new Promise((resolve) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        calls.push({
          account,
          answer: () => {
            inFlight--;
            resolve(`token-${account}`);
          },
        });
      }),
    store: (batch) =>
      new Promise((resolve) =>
        stores.push({
          batch: batch.map((b) => b.claim),
          done: () => resolve({ refreshed: batch.length, failed: 0 }),
        }),
      ),
  });
  return { run, calls, stores, claims, maxInFlight: () => maxInFlight };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await tick();
}

describe('The refresh pump', () => {
  it('keeps at most `slots` calls out and claims only for free slots', async () => {
    const w = world(10, 3);
    await settle();
    expect(w.calls.map((c) => c.account)).toEqual([0, 1, 2]);
    expect(w.claims).toEqual([3]);

    w.calls[1].answer();
    await settle();
    expect(w.claims).toEqual([3, 1]);
    expect(w.calls.map((c) => c.account)).toEqual([0, 1, 2, 3]);
    expect(w.maxInFlight()).toBe(3);

    // Answer everything as it comes, and finish every store.
    for (let i = 0; i < 200 && (w.calls.length < 10 || w.stores.some(Boolean)); i++) {
      w.calls.forEach((c) => c.answer());
      w.stores.splice(0).forEach((s) => s.done());
      await settle();
    }
    await expect(w.run).resolves.toEqual({ refreshed: 10, failed: 0 });
    expect(w.maxInFlight()).toBe(3);
  });

  it('stores the answers that came in during a slow store together, each once', async () => {
    const w = world(4, 4);
    await settle();
    w.calls[0].answer();
    await settle();
    expect(w.stores.map((s) => s.batch)).toEqual([[0]]);
    // While that store runs, the other three answers arrive...
    w.calls.slice(1).forEach((c) => c.answer());
    await settle();
    expect(w.stores).toHaveLength(1);
    // ...and go out as one batch once it is done.
    w.stores[0].done();
    await settle();
    expect(w.stores.map((s) => s.batch)).toEqual([[0], [1, 2, 3]]);
    w.stores[1].done();
    await expect(w.run).resolves.toEqual({ refreshed: 4, failed: 0 });
  });

  it('lets the calls already out finish and be stored when a claim fails, then reports the failure', async () => {
    let claimsMade = 0;
    const stored: number[] = [];
    const run = pumpRefreshes<number, string>({
      slots: 2,
      claim: async (max) => {
        if (claimsMade++ > 0) throw new Error('database gone');
        return [1, 2].slice(0, max);
      },
      call: async (account) => `token-${account}`,
      store: async (batch) => {
        stored.push(...batch.map((b) => b.claim));
        return { refreshed: batch.length, failed: 0 };
      },
    });
    await expect(run).rejects.toThrow('database gone');
    expect(stored.sort()).toEqual([1, 2]);
  });
});
