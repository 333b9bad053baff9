import { Batcher } from './batcher';

interface Item {
  key: string;
  n: number;
}

/** A Batcher whose batches stay on their way until the test lets each one go. */
function harness(options: { maxBatch: number; maxInFlight: number; fair: boolean }) {
  const batches: string[][] = [];
  const release: Array<() => void> = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const batcher = new Batcher<Item, string>(
    (items) => {
      batches.push(items.map((item) => `${item.key}${item.n}`));
      for (const waiter of waiters.filter((w) => batches.length >= w.count)) waiter.resolve();
      return new Promise((resolve) =>
        release.push(() => resolve(items.map((item) => `done ${item.key}${item.n}`))),
      );
    },
    {
      name: 'test',
      maxBatch: options.maxBatch,
      maxInFlight: options.maxInFlight,
      ...(options.fair ? { fairBy: (item: Item) => item.key } : {}),
    },
  );
  /** Resolves once `count` batches have left. */
  const batchesLeft = (count: number) =>
    new Promise<void>((resolve) => {
      if (batches.length >= count) resolve();
      else waiters.push({ count, resolve });
    });
  return { batcher, batches, release, batchesLeft };
}

function ask(batcher: Batcher<Item, string>, spec: string): Array<Promise<string>> {
  return spec.split(' ').map((id) => batcher.call({ key: id[0], n: Number(id.slice(1)) }));
}

describe('Batcher with fairBy', () => {
  it('takes the waiting keys in turn, one item of each per pass', async () => {
    const { batcher, batches, release, batchesLeft } = harness({
      maxBatch: 4,
      maxInFlight: 1,
      fair: true,
    });
    const answers = ask(batcher, 'a1 a2 a3 b1 b2 b3 c1 c2 c3 d1');

    await batchesLeft(1);
    release[0]();
    await batchesLeft(2);
    release[1]();
    await batchesLeft(3);
    release[2]();

    expect(batches).toEqual([
      ['a1', 'b1', 'c1', 'd1'],
      ['a2', 'b2', 'c2', 'a3'],
      ['b3', 'c3'],
    ]);
    // Each caller gets its own answer, whatever batch it went in.
    expect(await Promise.all(answers)).toEqual(
      'a1 a2 a3 b1 b2 b3 c1 c2 c3 d1'.split(' ').map((id) => `done ${id}`),
    );
  });

  it('never puts one key in two batches on their way at once', async () => {
    const { batcher, batches, release, batchesLeft } = harness({
      maxBatch: 1,
      maxInFlight: 2,
      fair: true,
    });
    const first = ask(batcher, 'a1 a2 a3');
    await batchesLeft(1);
    // A second batch may leave now: it takes the new key, not a's next items.
    const second = ask(batcher, 'e1');
    await batchesLeft(2);
    expect(batches).toEqual([['a1'], ['e1']]);

    release[0]();
    await batchesLeft(3);
    release[1]();
    release[2]();
    await batchesLeft(4);
    release[3]();
    expect(batches).toEqual([['a1'], ['e1'], ['a2'], ['a3']]);
    expect(await Promise.all([...first, ...second])).toEqual([
      'done a1',
      'done a2',
      'done a3',
      'done e1',
    ]);
  });

  it('without fairBy, takes the queue in the order asked', async () => {
    const { batcher, batches, release, batchesLeft } = harness({
      maxBatch: 2,
      maxInFlight: 1,
      fair: false,
    });
    const answers = ask(batcher, 'a1 a2 b1');
    await batchesLeft(1);
    release[0]();
    await batchesLeft(2);
    release[1]();
    await Promise.all(answers);
    expect(batches).toEqual([['a1', 'a2'], ['b1']]);
  });
});
