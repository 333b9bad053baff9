import { EventEmitter2 } from '@nestjs/event-emitter';
import { InboundProcessor } from '../../libs/tiktok-channel/src/testing';
import { followRedirects } from '../support/e2e-harness';
import { customerTextEnvelope, startLibraryHost, type LibraryHost } from '../support/library-host';
import { BatchingRecordingPort } from '../support/recording-port';
import { SandboxControl } from '../support/sandbox-control';

/** A realistic TikTok time (ms). */
const T0 = 1764000000000;

const customer = customerTextEnvelope;

/** A like on `originalId`, as TikTok delivers a reaction: a message of its own. */
function likeOf(
  businessId: string,
  conversationId: string,
  messageId: string,
  at: number,
  originalId: string,
) {
  return customer(businessId, conversationId, messageId, at, {
    type: 'reaction',
    text: undefined,
    reaction: [
      { operation: 'ADD', type: 'like', emoji: '❤️', original_msg_id: originalId, timestamp: at },
    ],
  });
}

/**
 * A host with `appendMessages` gets a run's plain messages in one call, in the run's order; a
 * refused message holds back only itself and what follows it in its conversation; other kinds of
 * events see the messages before them already stored.
 */
describe('Inbound: batched appends', () => {
  let host: LibraryHost;
  let port: BatchingRecordingPort;
  let processor: InboundProcessor;
  let businessId: string;
  const published: Array<{ name: string; payload: Record<string, unknown> }> = [];

  beforeAll(async () => {
    host = await startLibraryHost('forRoot', { helpdeskPort: BatchingRecordingPort });
    port = host.port as BatchingRecordingPort;
    processor = host.app.get(InboundProcessor);
    await new SandboxControl(host.sandbox.url).queueConsent('batchshop', 'business', 'approve');
    await followRedirects(`${host.url}/tiktok/oauth/authorize`);
    const { rows } = await host.db.query(`SELECT business_id FROM tiktok_accounts`);
    businessId = rows[0].business_id as string;
    host.app.get(EventEmitter2).onAny((name: string | string[], payload: unknown) => {
      published.push({ name: String(name), payload: payload as Record<string, unknown> });
    });
  });

  afterAll(async () => {
    await host?.close();
  });

  beforeEach(async () => {
    port.calls.length = 0;
    published.length = 0;
    await processor.pause();
  });

  /** Stores the envelopes while processing is paused, then processes them: one run each conversation. */
  async function processTogether(envelopes: object[]): Promise<void> {
    for (const envelope of envelopes) expect(await host.deliver(envelope)).toBe(200);
    processor.resume();
    await processor.settle();
  }

  async function statuses(conversationId: string): Promise<Array<[string, string]>> {
    const { rows } = await host.db.query(
      `SELECT content->>'message_id' AS id, status FROM tiktok_webhook_events
        WHERE tiktok_conversation_id = $1 ORDER BY event_timestamp, id`,
      [conversationId],
    );
    return rows.map((row) => [row.id as string, row.status as string]);
  }

  it("hands a run's messages to the host in one appendMessages call, in TikTok's order", async () => {
    await processTogether([
      customer(businessId, 'c1', 'b3', T0 + 3),
      customer(businessId, 'c1', 'b1', T0 + 1),
      customer(businessId, 'c1', 'b2', T0 + 2),
    ]);

    expect(port.batches()).toEqual([['b1', 'b2', 'b3']]);
    expect(port.appended()).toEqual([]);
    expect(await statuses('c1')).toEqual([
      ['b1', 'processed'],
      ['b2', 'processed'],
      ['b3', 'processed'],
    ]);
    const received = published.filter((p) => p.name === 'tiktok.message.received');
    expect(received.map((p) => p.payload.tiktokMessageId)).toEqual(['b1', 'b2', 'b3']);
    expect(received.map((p) => p.payload.firstInConversation)).toEqual([true, false, false]);
    expect(published[0].name).toBe('tiktok.conversation.opened');
  });

  it('appends one at a time when the batch fails: a refused message waits with what follows it, the others are stored', async () => {
    port.failingMessageIds.add('r2');
    await processTogether([
      customer(businessId, 'c2', 'r1', T0 + 1),
      customer(businessId, 'c2', 'r2', T0 + 2),
      customer(businessId, 'c2', 'r3', T0 + 3),
    ]);

    expect(port.batches()).toEqual([['r1', 'r2', 'r3']]);
    expect(port.appended().map((m) => m.tiktokMessageId)).toEqual(['r1', 'r2']);
    expect(await statuses('c2')).toEqual([
      ['r1', 'processed'],
      ['r2', 'pending'],
      ['r3', 'pending'],
    ]);
    const received = published.filter((p) => p.name === 'tiktok.message.received');
    expect(received.map((p) => p.payload.tiktokMessageId)).toEqual(['r1']);

    // The host takes it again: the retry goes on in order.
    port.failingMessageIds.delete('r2');
    await host.db.query(
      `UPDATE tiktok_webhook_events SET next_attempt_at = now() WHERE status = 'pending'`,
    );
    await processor.settle();
    expect(await statuses('c2')).toEqual([
      ['r1', 'processed'],
      ['r2', 'processed'],
      ['r3', 'processed'],
    ]);
    expect(port.batches()[1]).toEqual(['r2', 'r3']);
  });

  it('stores the messages before a reaction first, so the reaction finds its message', async () => {
    const reaction = likeOf(businessId, 'c3', 'x3', T0 + 3, 'x2');
    await processTogether([
      customer(businessId, 'c3', 'x1', T0 + 1),
      customer(businessId, 'c3', 'x2', T0 + 2),
      reaction,
      customer(businessId, 'c3', 'x4', T0 + 4),
      customer(businessId, 'c3', 'x5', T0 + 5),
    ]);

    const order = port.calls
      .filter((c) => ['appendMessages', 'appendMessage', 'applyReaction'].includes(c.method))
      .map((c) => c.method);
    expect(order).toEqual(['appendMessages', 'applyReaction', 'appendMessages']);
    expect(port.batches()).toEqual([
      ['x1', 'x2'],
      ['x4', 'x5'],
    ]);
    expect(port.reactions.map((r) => r.tiktokMessageId)).toEqual(['x2']);
    expect(await statuses('c3')).toEqual([
      ['x1', 'processed'],
      ['x2', 'processed'],
      ['x3', 'processed'],
      ['x4', 'processed'],
      ['x5', 'processed'],
    ]);
  });

  it('holds back the reaction and what follows when the host refuses a message before it', async () => {
    port.failingMessageIds.add('y2');
    const reaction = likeOf(businessId, 'c4', 'y3', T0 + 3, 'y2');
    await processTogether([
      customer(businessId, 'c4', 'y1', T0 + 1),
      customer(businessId, 'c4', 'y2', T0 + 2),
      reaction,
      customer(businessId, 'c4', 'y4', T0 + 4),
    ]);

    expect(port.calls.some((c) => c.method === 'applyReaction')).toBe(false);
    expect(await statuses('c4')).toEqual([
      ['y1', 'processed'],
      ['y2', 'pending'],
      ['y3', 'pending'],
      ['y4', 'pending'],
    ]);
    port.failingMessageIds.delete('y2');
  });
  it("stores other conversations' messages of the same batch when the host refuses one", async () => {
    port.failingMessageIds.add('p1');
    await processTogether([
      customer(businessId, 'c5', 'p1', T0 + 1),
      customer(businessId, 'c6', 'q1', T0 + 2),
      customer(businessId, 'c5', 'p2', T0 + 3),
      customer(businessId, 'c6', 'q2', T0 + 4),
    ]);

    expect(port.batches()).toHaveLength(1);
    expect(port.batches()[0].sort()).toEqual(['p1', 'p2', 'q1', 'q2']);
    expect(await statuses('c5')).toEqual([
      ['p1', 'pending'],
      ['p2', 'pending'],
    ]);
    expect(await statuses('c6')).toEqual([
      ['q1', 'processed'],
      ['q2', 'processed'],
    ]);
    expect(port.messages.has('p2')).toBe(false);
    expect(port.messages.has('q1') && port.messages.has('q2')).toBe(true);
    port.failingMessageIds.delete('p1');
  });
});
