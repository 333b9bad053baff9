/**
 * Coalesces concurrent calls into one round trip (group commit): callers ask for one item each;
 * everything asked while the previous batch was on its way goes out together in the next one.
 * A lone caller waits one turn of the event loop, never a timer, so an idle process answers as
 * fast as before while a busy one sends one statement for many items.
 *
 * `runBatch` answers the batch's inputs in order. When it throws, each input is tried alone with
 * `runOne` (when given), so one bad item (a unique violation, say) cannot fail its neighbours.
 */
/** What batches cost, by batcher name: for the outbound bench's profile. */
export interface BatcherStats {
  calls: number;
  batches: number;
  /** Summed over calls: from the call until its batch left. */
  queuedMs: number;
  /** Summed over batches: the round trip. */
  runMs: number;
}

export const batcherStats = new Map<string, BatcherStats>();

interface Queued<I, O> {
  at: number;
  input: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

export class Batcher<I, O> {
  private queue: Array<Queued<I, O>> = [];
  private inFlight = 0;
  private scheduled = false;
  /** With `fairBy`: the keys of the batches on their way. */
  private readonly busy = new Set<string>();

  constructor(
    private readonly runBatch: (inputs: I[]) => Promise<O[]>,
    private readonly options: {
      name: string;
      /** Items per statement at most. */
      maxBatch: number;
      /** Batches on their way at once (connections this batcher may hold). */
      maxInFlight: number;
      runOne?: (input: I) => Promise<O>;
      /**
       * Items of one key keep the order they were asked in and are never in two batches on their
       * way at once (a later batch could otherwise commit first); each batch takes the waiting
       * keys in turn, one item of each per pass, so a burst asked key after key does not make the
       * last keys wait behind every item of the first ones.
       */
      fairBy?: (input: I) => string;
    },
  ) {}

  call(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ at: performance.now(), input, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight) return;
    this.scheduled = true;
    // After the I/O callbacks of this turn: everything they ask for joins the batch.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.queue.length > 0 && this.inFlight < this.options.maxInFlight) {
      const { batch, keys } = this.take();
      if (batch.length === 0) return; // every waiting key has a batch on its way
      this.inFlight++;
      void this.settle(batch).finally(() => {
        this.inFlight--;
        for (const key of keys) this.busy.delete(key);
        if (this.queue.length > 0) this.schedule();
      });
    }
  }

  private take(): { batch: Array<Queued<I, O>>; keys: string[] } {
    const fairBy = this.options.fairBy;
    if (!fairBy) return { batch: this.queue.splice(0, this.options.maxBatch), keys: [] };
    const lanes = new Map<string, Array<Queued<I, O>>>();
    for (const item of this.queue) {
      const key = fairBy(item.input);
      if (this.busy.has(key)) continue;
      const lane = lanes.get(key);
      if (lane) lane.push(item);
      else lanes.set(key, [item]);
    }
    const batch: Array<Queued<I, O>> = [];
    for (let pass = 0; batch.length < this.options.maxBatch; pass++) {
      const before = batch.length;
      for (const lane of lanes.values()) {
        if (pass < lane.length) batch.push(lane[pass]);
        if (batch.length >= this.options.maxBatch) break;
      }
      if (batch.length === before) break;
    }
    const taken = new Set(batch);
    this.queue = this.queue.filter((item) => !taken.has(item));
    const keys = [...new Set(batch.map((item) => fairBy(item.input)))];
    for (const key of keys) this.busy.add(key);
    return { batch, keys };
  }

  private async settle(batch: Array<Queued<I, O>>): Promise<void> {
    let outputs: O[];
    const started = performance.now();
    const stats = batcherStats.get(this.options.name) ?? {
      calls: 0,
      batches: 0,
      queuedMs: 0,
      runMs: 0,
    };
    batcherStats.set(this.options.name, stats);
    stats.calls += batch.length;
    stats.batches++;
    for (const item of batch) stats.queuedMs += started - item.at;
    try {
      outputs = await this.runBatch(batch.map((item) => item.input));
      stats.runMs += performance.now() - started;
    } catch (error) {
      const one = this.options.runOne;
      if (!one || batch.length === 1) {
        for (const item of batch) item.reject(error);
        return;
      }
      await Promise.all(batch.map((item) => one(item.input).then(item.resolve, item.reject)));
      return;
    }
    batch.forEach((item, index) => item.resolve(outputs[index]));
  }
}
