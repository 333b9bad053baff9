import { EventEmitter2 } from '@nestjs/event-emitter';
import { InboundProcessor } from '../../libs/tiktok-channel/src/testing';
import { followRedirects } from '../support/e2e-harness';
import { startLibraryHost, webhookEnvelope, type LibraryHost } from '../support/library-host';
import { SandboxControl } from '../support/sandbox-control';
import { startHistoryFake, type HistoryFake } from '../support/tiktok-history-fake';

/**
 * People in the EEA, Switzerland and the UK only produce `im_receive_msg_eu` (no body, no
 * conversation): the library fetches conversation/list + content/list. Messages delivered both
 * ways reach the host once, in order; a full 20-message window of unseen messages gets a note.
 */
describe('EEA messages', () => {
  let host: LibraryHost;
  let fake: HistoryFake;
  let businessId: string;
  let processor: InboundProcessor;
  const received: string[] = [];
  const now = Date.now();

  beforeAll(async () => {
    fake = await startHistoryFake();
    host = await startLibraryHost('forRoot', { options: { httpClient: fake.httpClient } });
    await new SandboxControl(host.sandbox.url).queueConsent('eushop', 'business', 'approve');
    await followRedirects(`${host.url}/tiktok/oauth/authorize`);
    const { rows } = await host.db.query(`SELECT business_id FROM tiktok_accounts`);
    businessId = rows[0].business_id;
    processor = host.app.get(InboundProcessor);
    host.app
      .get(EventEmitter2)
      .on('tiktok.message.received', (payload: { tiktokMessageId: string }) => {
        received.push(payload.tiktokMessageId);
      });
  });

  afterAll(async () => {
    await host?.close();
    await fake?.close();
  });

  /** A message as content/list returns it: REST casing. */
  function restMessage(conversation: string, id: string, at: number, fromCustomer = true) {
    const customer = { id: `user_${conversation}`, role: 'PERSONAL_ACCOUNT' };
    const business = { id: businessId, role: 'BUSINESS_ACCOUNT' };
    return {
      message_id: id,
      timestamp: at,
      type: 'TEXT',
      text: { body: id },
      from_user: fromCustomer ? customer : business,
      to_user: fromCustomer ? business : customer,
    };
  }

  async function notifyEea(at: number): Promise<void> {
    expect(
      await host.deliver(
        webhookEnvelope('im_receive_msg_eu', businessId, {
          to: 'eushop',
          to_user: { id: businessId, role: 'business_account' },
          timestamp: at,
        }),
      ),
    ).toBe(200);
  }

  it('reaches the host exactly once and in order when the normal event is delivered too', async () => {
    fake.conversations.push({ conversation_id: 'c-eu', update_time: now });
    fake.history.set('c-eu', [
      restMessage('c-eu', 'eu-2', now - 1000),
      restMessage('c-eu', 'eu-1', now - 2000),
    ]);
    // The normal delivery of eu-1 and the EEA notification both arrive.
    expect(
      await host.deliver(
        webhookEnvelope('im_receive_msg', businessId, {
          conversation_id: 'c-eu',
          ...restMessage('c-eu', 'eu-1', now - 2000),
          type: 'text',
        }),
      ),
    ).toBe(200);
    await notifyEea(now - 1000);
    await processor.settle();
    // ...and TikTok redelivers both.
    await notifyEea(now - 1000);
    await processor.settle();

    const ids = host.port
      .appended()
      .map((m) => m.tiktokMessageId)
      .filter((id) => id.startsWith('eu-'));
    expect(ids).toEqual(['eu-1', 'eu-2']);
    expect(received.filter((id) => id.startsWith('eu-'))).toEqual(['eu-1', 'eu-2']);
    const listed = fake.requests.filter((r) => r.path === '/business/message/content/list/');
    expect(listed[0].query.get('conversation_id')).toBe('c-eu');
  });

  it('reads up_time as well as update_time, and fetches only conversations that moved', async () => {
    fake.conversations.length = 0;
    fake.conversations.push(
      { conversation_id: 'c-eu-up', up_time: now + 5000 },
      { conversation_id: 'c-eu-old', update_time: now - 24 * 3600 * 1000 },
    );
    fake.history.set('c-eu-up', [restMessage('c-eu-up', 'up-1', now + 5000)]);
    fake.history.set('c-eu-old', [restMessage('c-eu-old', 'old-1', now - 24 * 3600 * 1000)]);
    await notifyEea(now + 5000);
    await processor.settle();
    expect(host.port.messages.has('up-1')).toBe(true);
    expect(host.port.messages.has('old-1')).toBe(false);
  });

  it('says in the conversation when the 20-message window was full of messages never seen', async () => {
    fake.conversations.length = 0;
    fake.conversations.push({ conversation_id: 'c-gap', update_time: now + 10_000 });
    fake.history.set(
      'c-gap',
      Array.from({ length: 20 }, (_, i) =>
        restMessage('c-gap', `gap-${i}`, now + 9000 + i, i % 5 !== 0),
      ),
    );
    await notifyEea(now + 10_000);
    await processor.settle();
    const gaps = [...host.port.notes.values()].filter((n) => n.kind === 'history_gap');
    expect(gaps).toHaveLength(1);
    expect(gaps[0].conversationId).toBe(host.port.messages.get('gap-1')?.message.conversationId);
    // The note comes before the oldest fetched message; then all 20 in order (the business's own,
    // typed in the TikTok app, as outgoing).
    const order = host.port.calls
      .filter((c) => c.method === 'appendNote' || c.method === 'appendMessage')
      .map((c) =>
        c.method === 'appendNote'
          ? 'note'
          : (c.args as { tiktokMessageId: string }).tiktokMessageId,
      )
      .filter((id) => id === 'note' || id.startsWith('gap-'));
    expect(order[0]).toBe('note');
    expect(order.slice(1)).toEqual(Array.from({ length: 20 }, (_, i) => `gap-${i}`));
    expect(host.port.messages.get('gap-5')?.message.direction).toBe('outgoing');

    // The conversation's next window overlaps what we have: no second note.
    fake.history.set('c-gap', [
      ...Array.from({ length: 19 }, (_, i) =>
        restMessage('c-gap', `gap-${i + 1}`, now + 9001 + i, (i + 1) % 5 !== 0),
      ),
      restMessage('c-gap', 'gap-20', now + 9020),
    ]);
    await notifyEea(now + 10_001);
    await processor.settle();
    expect([...host.port.notes.values()].filter((n) => n.kind === 'history_gap')).toHaveLength(1);
    expect(host.port.messages.has('gap-20')).toBe(true);
  });
});
