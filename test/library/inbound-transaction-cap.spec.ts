import { InboundHandlers } from '../../libs/tiktok-channel/src/inbound/inbound-handlers';
import { InboundProcessor } from '../../libs/tiktok-channel/src/testing';
import { followRedirects } from '../support/e2e-harness';
import { customerTextEnvelope, startLibraryHost, type LibraryHost } from '../support/library-host';
import { BatchingRecordingPort } from '../support/recording-port';
import { SandboxControl } from '../support/sandbox-control';

/** A realistic TikTok time (ms). */
const T0 = 1764000000000;

const customer = customerTextEnvelope;

/**
 * `inboundEventsPerTransaction`: a backlog is drained in transactions of a bounded size, so no
 * transaction handles so many events that webhooks wait behind it. Counted in host batches, and in
 * turns of the event loop between conversations (never timed).
 */
describe('Inbound: events per transaction', () => {
  let host: LibraryHost;
  let processor: InboundProcessor;
  let businessId: string;

  beforeAll(async () => {
    host = await startLibraryHost('forRoot', {
      helpdeskPort: BatchingRecordingPort,
      options: { inboundWorkers: 1, inboundEventsPerTransaction: 4 },
    });
    processor = host.app.get(InboundProcessor);
    await new SandboxControl(host.sandbox.url).queueConsent('capshop', 'business', 'approve');
    await followRedirects(`${host.url}/tiktok/oauth/authorize`);
    const { rows } = await host.db.query(`SELECT business_id FROM tiktok_accounts`);
    businessId = rows[0].business_id as string;
  });

  afterAll(async () => {
    await host?.close();
  });

  it('keeps to the cap only while deliveries arrive, each conversation in its order', async () => {
    const conversations = ['q1', 'q2', 'q3'];
    // Linked first, so the backlog below is plain messages the host takes in batches.
    for (const c of conversations)
      expect(await host.deliver(customer(businessId, c, `${c}-0`, T0))).toBe(200);
    await processor.settle();
    const before = (host.port as BatchingRecordingPort).batches().length;

    await processor.pause();
    for (let n = 1; n <= 4; n++)
      for (const c of conversations)
        expect(await host.deliver(customer(businessId, c, `${c}-${n}`, T0 + n))).toBe(200);
    processor.resume();
    await processor.settle();

    const batches = (host.port as BatchingRecordingPort).batches().slice(before);
    // 12 events, 3 conversations. The first transaction begins with deliveries just taken: a share
    // of one event each (4 ÷ 3). None came in since it began, so the next takes the rest at once.
    expect(batches.map((batch) => batch.length)).toEqual([3, 9]);
    for (const c of conversations)
      expect(batches.flat().filter((id) => id.startsWith(`${c}-`))).toEqual(
        [1, 2, 3, 4].map((n) => `${c}-${n}`),
      );
  }, 60_000);

  it('takes no more conversations than the cap, a share never being below one event', async () => {
    const conversations = ['r1', 'r2', 'r3', 'r4', 'r5'];
    for (const c of conversations)
      expect(await host.deliver(customer(businessId, c, `${c}-0`, T0))).toBe(200);
    await processor.settle();
    const before = (host.port as BatchingRecordingPort).batches().length;

    await processor.pause();
    for (const c of conversations)
      expect(await host.deliver(customer(businessId, c, `${c}-1`, T0 + 1))).toBe(200);
    processor.resume();
    await processor.settle();

    // Five conversations, a cap of 4: four of them, one event each, then the fifth alone (one
    // message goes by `appendMessage`, not in a batch).
    const batches = (host.port as BatchingRecordingPort).batches().slice(before);
    expect(batches).toEqual([['r1-1', 'r2-1', 'r3-1', 'r4-1']]);
    expect(host.port.messages.has('r5-1')).toBe(true);
  }, 60_000);

  it("gives the event loop a turn between a transaction's conversations", async () => {
    const conversations = ['t1', 't2', 't3'];
    for (const c of conversations)
      expect(await host.deliver(customer(businessId, c, `${c}-0`, T0))).toBe(200);
    await processor.settle();

    await processor.pause();
    for (const c of conversations)
      expect(await host.deliver(customer(businessId, c, `${c}-1`, T0 + 1))).toBe(200);
    // Counts turns of the event loop; each handled event notes the count it ran at.
    let turns = 0;
    let counting = true;
    const count = (): void => {
      turns++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const seen: number[] = [];
    const original = InboundHandlers.prototype.handle;
    const spy = jest.spyOn(InboundHandlers.prototype, 'handle').mockImplementation(function (
      this: InboundHandlers,
      ...args: Parameters<typeof original>
    ) {
      seen.push(turns);
      return original.apply(this, args);
    });
    try {
      processor.resume();
      await processor.settle();
    } finally {
      counting = false;
      spy.mockRestore();
    }

    // One transaction of three linked conversations, none of which runs a statement of its own.
    expect(seen).toHaveLength(3);
    expect(seen[1]).toBeGreaterThan(seen[0]);
    expect(seen[2]).toBeGreaterThan(seen[1]);
  }, 60_000);
});
