import { TiktokMessenger, type InboundMessage } from '../../libs/tiktok-channel/src';
import { InboundProcessor } from '../../libs/tiktok-channel/src/testing';
import { parseWebhook } from '../../libs/tiktok-channel/src/webhook/webhook-envelope';
import { WebhookEventStore } from '../../libs/tiktok-channel/src/webhook/webhook-event.store';
import { eventually, followRedirects } from '../support/e2e-harness';
import { startLibraryHost, webhookEnvelope, type LibraryHost } from '../support/library-host';
import { SandboxControl } from '../support/sandbox-control';

/** A realistic TikTok time (ms): timestamps before 2000 are taken as wrong and replaced. */
const T0 = 1764000000000;

describe('Inbound processing, seen from the host port', () => {
  let host: LibraryHost;
  let businessId: string;
  let processor: InboundProcessor;
  let sandbox: SandboxControl;

  beforeAll(async () => {
    host = await startLibraryHost('forRoot');
    sandbox = new SandboxControl(host.sandbox.url);
    await sandbox.queueConsent('inboundshop', 'business', 'approve');
    const hops = await followRedirects(`${host.url}/tiktok/oauth/authorize`);
    expect(new URL(hops[hops.length - 1], host.url).searchParams.get('tiktok_status')).toBe(
      'connected',
    );
    const { rows } = await host.db.query(`SELECT business_id FROM tiktok_accounts`);
    businessId = rows[0].business_id;
    processor = host.app.get(InboundProcessor);
  });

  afterAll(async () => {
    await host?.close();
  });

  function message(
    conversationId: string,
    messageId: string,
    timestamp: number,
    body: string,
    fromBusiness = false,
  ) {
    const person = { id: `user_${conversationId}`, role: 'personal_account' };
    const business = { id: businessId, role: 'business_account' };
    return {
      conversation_id: conversationId,
      message_id: messageId,
      timestamp,
      type: 'text',
      text: { body },
      from: fromBusiness ? 'inboundshop' : 'customer',
      to: fromBusiness ? 'customer' : 'inboundshop',
      from_user: fromBusiness ? business : person,
      to_user: fromBusiness ? person : business,
    };
  }

  async function eventRow(messageId: string) {
    const { rows } = await host.db.query(
      `SELECT status, attempts, last_error FROM tiktok_webhook_events WHERE dedupe_key LIKE $1`,
      [`%:${messageId}`],
    );
    return rows[0] as { status: string; attempts: number; last_error: string | null };
  }

  const appendedIds = () => host.port.appended().map((m) => m.tiktokMessageId);

  it('hands a received message to the host as contact, conversation and incoming message', async () => {
    expect(
      await host.deliver(
        webhookEnvelope('im_receive_msg', businessId, message('c1', 'm1', T0 + 1000, 'hi')),
      ),
    ).toBe(200);
    await processor.settle();
    const [appended] = host.port.appended() as InboundMessage[];
    expect(appended).toMatchObject({ direction: 'incoming', tiktokMessageId: 'm1', content: 'hi' });
    expect(appended.sentAt.getTime()).toBe(T0 + 1000);
    expect((await eventRow('m1')).status).toBe('processed');
  });

  it('processes the events of a conversation in TikTok order even when they were stored out of order', async () => {
    const store = host.app.get(WebhookEventStore);
    for (const [id, ts] of [
      ['o3', T0 + 3000],
      ['o1', T0 + 1000],
      ['o2', T0 + 2000],
    ] as const) {
      const raw = Buffer.from(
        JSON.stringify(
          webhookEnvelope('im_receive_msg', businessId, message('c-order', id, ts, id)),
        ),
      );
      await store.save(parseWebhook(raw), raw);
    }
    await processor.settle();
    expect(appendedIds().filter((id) => id.startsWith('o'))).toEqual(['o1', 'o2', 'o3']);
  });

  it('keeps an event the host failed to take and retries it until the host takes it', async () => {
    host.port.failNextAppends = 1;
    await host.deliver(
      webhookEnvelope('im_receive_msg', businessId, message('c2', 'retry-1', T0 + 5000, 'again')),
    );
    await processor.settle();
    expect(await eventRow('retry-1')).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_error: 'host database unavailable',
    });
    expect(host.port.messages.has('retry-1')).toBe(false);

    // The retry is scheduled with backoff; make it due instead of waiting for it.
    await host.db.query(
      `UPDATE tiktok_webhook_events SET next_attempt_at = now() WHERE dedupe_key LIKE '%:retry-1'`,
    );
    await processor.settle();
    expect(host.port.messages.has('retry-1')).toBe(true);
    expect((await eventRow('retry-1')).status).toBe('processed');
  });

  it('answers 503 when the event cannot be stored, and stores it when TikTok delivers it again', async () => {
    const envelope = webhookEnvelope(
      'im_receive_msg',
      businessId,
      message('c3', 'outage-1', T0 + 6000, 'are you up?'),
    );
    await host.db.query(`ALTER TABLE tiktok_webhook_events RENAME TO tiktok_webhook_events_away`);
    try {
      expect(await host.deliver(envelope)).toBe(503);
    } finally {
      await host.db.query(`ALTER TABLE tiktok_webhook_events_away RENAME TO tiktok_webhook_events`);
    }
    expect(await host.deliver(envelope)).toBe(200);
    await processor.settle();
    expect(host.port.messages.has('outage-1')).toBe(true);
  });

  it('passes a message the business typed in the TikTok app to the host as an outgoing message', async () => {
    await host.deliver(
      webhookEnvelope(
        'im_send_msg',
        businessId,
        message('c1', 'typed-in-app', T0 + 7000, 'from my phone', true),
      ),
    );
    await processor.settle();
    expect(host.port.messages.get('typed-in-app')?.message).toMatchObject({
      direction: 'outgoing',
      content: 'from my phone',
    });
  });

  it('holds back an echo that overtakes its own send, then recognises it as ours without a second message', async () => {
    // A send of ours is in flight for conversation c1 (its TikTok id is not known yet)...
    const { rows } = await host.db.query(
      `INSERT INTO tiktok_outbound_messages (account_id, conversation_id, host_message_id, part_index, message_type, body, status)
       SELECT account_id, id, 'host-msg-1', 0, 'TEXT', 'on its way', 'sending'
         FROM tiktok_conversations WHERE tiktok_conversation_id = 'c1' RETURNING id`,
    );
    // ...and TikTok's echo of it arrives first.
    await host.deliver(
      webhookEnvelope(
        'im_send_msg',
        businessId,
        message('c1', 'echo-first', T0 + 8000, 'on its way', true),
      ),
    );
    await processor.settle();
    expect(host.port.messages.has('echo-first')).toBe(false);
    expect((await eventRow('echo-first')).status).toBe('pending');

    // The send response lands: the id is stored and the conversation's held events are woken.
    await host.db.query(
      `UPDATE tiktok_outbound_messages SET status = 'sent', tiktok_message_id = 'echo-first', sent_at = now() WHERE id = $1`,
      [rows[0].id],
    );
    await processor.wakeConversation(businessId, 'c1');
    await processor.settle();
    expect((await eventRow('echo-first')).status).toBe('processed');
    expect(host.port.messages.has('echo-first')).toBe(false);
  });

  it('matches the echo of a real send to it and never hands it to the host', async () => {
    const userId = await sandbox.createUser('real.fan', 'Real Fan');
    const sent = await sandbox.sendAsUser(userId, businessId, 'do you ship abroad?');
    const conversation = await host.received(sent.messageId);
    const outcome = await host.app.get(TiktokMessenger).send({
      conversationId: conversation.conversationId,
      messageId: 'host-reply-1',
      content: 'We do!',
    });
    expect(outcome.status).toBe('sent');
    const tiktokId = outcome.status === 'sent' ? outcome.tiktokMessageIds[0] : '';
    // The sandbox delivers the echo after the send's response: wait until it is stored, then settle.
    await eventually(async () => (await eventRow(tiktokId)) !== undefined, 'the echo to be stored');
    await processor.settle();
    expect((await eventRow(tiktokId)).status).toBe('processed');
    expect(host.port.messages.has(tiktokId)).toBe(false);
    expect(host.port.statuses).toContainEqual({
      messageId: 'host-reply-1',
      status: 'sent',
      reason: undefined,
    });

    // The customer reads it: the host hears that its message was read.
    await host.deliver(
      webhookEnvelope('im_mark_read_msg', businessId, {
        conversation_id: sent.conversationId,
        from_user: { id: userId, role: 'personal_account' },
        read: { last_read_timestamp: Date.now() + 1000 },
      }),
    );
    await processor.settle();
    expect(host.port.statuses).toContainEqual({
      messageId: 'host-reply-1',
      status: 'read',
      reason: undefined,
    });
  });
});
