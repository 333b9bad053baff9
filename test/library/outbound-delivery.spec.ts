import sharp from 'sharp';
import {
  TiktokEvents,
  TiktokMessenger,
  type MessageFailedEvent,
  type MessagePendingEvent,
  type MessageSentEvent,
} from '../../libs/tiktok-channel/src';
import { settleTiktokChannel } from '../../libs/tiktok-channel/src/testing';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { eventually } from '../support/e2e-harness';
import { startLibraryHost, type LibraryHost } from '../support/library-host';
import {
  connectBusiness,
  customerWrites,
  type ConnectedBusiness,
  type OpenConversation,
} from '../support/outbound-world';
import { SandboxControl } from '../support/sandbox-control';
import { SandboxOutbound } from '../support/sandbox-outbound';

const SEND = '/business/message/send/';

describe('Each part reaches TikTok exactly once, whatever happens to the answers', () => {
  let host: LibraryHost;
  let sandbox: SandboxOutbound;
  let messenger: TiktokMessenger;
  let shop: ConnectedBusiness;
  let chat: OpenConversation;
  let sequence = 0;

  beforeAll(async () => {
    host = await startLibraryHost('forRoot', {
      options: { requestTimeoutMs: 700, reconcileDelayMs: 100, sendWaitMs: 15_000 },
    });
    sandbox = new SandboxOutbound(host.sandbox.url);
    messenger = host.app.get(TiktokMessenger);
    shop = await connectBusiness(host, 'onceshop');
  });

  afterAll(async () => {
    await host?.close();
  });

  beforeEach(async () => {
    chat = await customerWrites(host, shop.businessId, 'once.fan', `Question ${++sequence}`);
  });

  /** How many times the person received this exact text. */
  async function received(text: string): Promise<number> {
    return (await sandbox.fromBusiness(chat.tiktokConversationId)).filter(
      (item) => item.text === text,
    ).length;
  }

  async function partRow(messageId: string) {
    const { rows } = await host.db.query(
      `SELECT status, tiktok_message_id, attempts FROM tiktok_outbound_messages WHERE host_message_id = $1`,
      [messageId],
    );
    return rows[0];
  }

  it.each([
    ['the answer times out after TikTok accepted the message', { afterAccept: 'timeout' as const }],
    ['the connection drops after TikTok accepted the message', { afterAccept: 'reset' as const }],
  ])('delivers once when %s: it is found, not sent again', async (_case, fault) => {
    await sandbox.fault({ path: SEND, ...fault });
    const text = `exactly once ${sequence}`;

    const outcome = await messenger.send({
      conversationId: chat.conversationId,
      messageId: `m-${sequence}`,
      text,
    });

    expect(outcome.status).toBe('sent');
    const [item] = (await sandbox.fromBusiness(chat.tiktokConversationId)).filter(
      (i) => i.text === text,
    );
    expect(outcome.status === 'sent' && outcome.tiktokMessageIds).toEqual([item.messageId]);
    expect(await received(text)).toBe(1);
    expect(await partRow(`m-${sequence}`)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('sends again, once, when a bare 5xx came back and the message is not in TikTok', async () => {
    await sandbox.fault({ path: SEND, httpStatus: 503 });
    const text = `after a 503 ${sequence}`;

    const outcome = await messenger.send({
      conversationId: chat.conversationId,
      messageId: `m-${sequence}`,
      text,
    });

    expect(outcome.status).toBe('sent');
    expect(await received(text)).toBe(1);
    expect(await partRow(`m-${sequence}`)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('retries a throttled send (40100) with backoff and delivers it once', async () => {
    await sandbox.fault({ path: SEND, code: 40100, times: 2 });
    const text = `throttled ${sequence}`;

    const outcome = await messenger.send({
      conversationId: chat.conversationId,
      messageId: `m-${sequence}`,
      text,
    });

    expect(outcome.status).toBe('sent');
    expect(await received(text)).toBe(1);
    expect(await partRow(`m-${sequence}`)).toMatchObject({ attempts: 3 });
  });

  it('answers pending while TikTok holds the send, then reports sent through the port and the events', async () => {
    const quick = await startLibraryHostSharing(host, { sendWaitMs: 0 });
    try {
      await sandbox.hold(SEND, 1);
      const messageId = `held-${sequence}`;
      const text = `held ${sequence}`;

      const outcome = await quick.messenger.send({
        conversationId: chat.conversationId,
        messageId,
        text,
      });

      expect(outcome).toEqual({
        status: 'pending',
        parts: [{ index: 0, kind: 'text', status: 'pending' }],
      });
      expect(quick.statuses(messageId)).toEqual(['pending']);
      await eventually(async () => (await sandbox.holds())[SEND] === 1, 'the send to reach TikTok');
      await sandbox.release(SEND);
      await eventually(async () => quick.statuses(messageId).includes('sent'), 'the sent report');
      expect(quick.statuses(messageId)).toEqual(['pending', 'sent']);
      expect(quick.events(messageId)).toEqual([
        TiktokEvents.MessagePending,
        TiktokEvents.MessageSent,
      ]);
      expect(await received(text)).toBe(1);
    } finally {
      await quick.close();
    }
  });

  it('reconciles a part a crash left in "sending" whose request reached TikTok, without sending it again', async () => {
    // What a process that died right after its request left behind: the message is at TikTok,
    // the part is `sending` with no live lease.
    const text = `crashed after sending ${sequence}`;
    const crashed = await sendDirectly(text);
    await leaveCrashedPart(`crash-${sequence}`, text);
    const requestsBefore = await sandbox.deliveryRequests();

    await settleTiktokChannel(host.app);

    expect(await partRow(`crash-${sequence}`)).toMatchObject({
      status: 'sent',
      tiktok_message_id: crashed,
    });
    expect(await received(text)).toBe(1);
    expect(await sandbox.deliveryRequests()).toBe(requestsBefore);
    expect(host.port.statuses).toContainEqual({ messageId: `crash-${sequence}`, status: 'sent' });
  });

  it('sends once a part a crash left in "sending" whose request never reached TikTok', async () => {
    const text = `crashed before sending ${sequence}`;
    await leaveCrashedPart(`crash-${sequence}`, text);

    await settleTiktokChannel(host.app);

    expect(await partRow(`crash-${sequence}`)).toMatchObject({ status: 'sent' });
    expect(await received(text)).toBe(1);
  });

  it('finishes, after a crash, the parts of a message no request sent', async () => {
    const text = `left pending ${sequence}`;
    await leaveCrashedPart(`pending-${sequence}`, text, 'pending');

    await settleTiktokChannel(host.app);

    expect(await received(text)).toBe(1);
    expect(host.port.statuses).toContainEqual({ messageId: `pending-${sequence}`, status: 'sent' });
  });

  it('reports delivery_unconfirmed rather than resending when TikTok’s 20 latest messages cannot tell', async () => {
    const text = `lost in the crowd ${sequence}`;
    await leaveCrashedPart(`crowd-${sequence}`, text);
    const control = new SandboxControl(host.sandbox.url);
    for (let i = 0; i < 20; i++)
      await control.sendAsUser(chat.userId, shop.businessId, `busy ${i}`);
    const requestsBefore = await sandbox.deliveryRequests();

    await settleTiktokChannel(host.app);

    const { rows } = await host.db.query(
      `SELECT status, failure_reason FROM tiktok_outbound_messages WHERE host_message_id = $1`,
      [`crowd-${sequence}`],
    );
    expect(rows[0]).toEqual({ status: 'failed', failure_reason: 'delivery_unconfirmed' });
    expect(await sandbox.deliveryRequests()).toBe(requestsBefore);
    expect(host.port.statuses).toContainEqual({
      messageId: `crowd-${sequence}`,
      status: 'failed',
      reason: 'delivery_unconfirmed',
    });
  });

  it('refreshes once on a bare 401, then sends', async () => {
    const refreshesBefore = (await sandbox.stats()).refreshes;
    await sandbox.fault({ path: SEND, httpStatus: 401 });
    const text = `after a bare 401 ${sequence}`;

    const outcome = await messenger.send({
      conversationId: chat.conversationId,
      messageId: `m-${sequence}`,
      text,
    });

    expect(outcome.status).toBe('sent');
    expect((await sandbox.stats()).refreshes).toBe(refreshesBefore + 1);
    expect(await received(text)).toBe(1);
  });

  it('reports an authorization problem, not a content problem, when a bare 403 persists after the refresh', async () => {
    await sandbox.fault({ path: SEND, httpStatus: 403, times: 2 });
    try {
      const outcome = await messenger.send({
        conversationId: chat.conversationId,
        messageId: `m-${sequence}`,
        text: 'forbidden',
      });

      expect(outcome).toMatchObject({ status: 'failed', reason: 'reauthorization_required' });
      expect(outcome.status === 'failed' && outcome.detail).toMatch(/HTTP 403/);
    } finally {
      await host.db.query(`UPDATE tiktok_accounts SET status = 'active', status_reason = NULL`);
    }
  });

  it('describes a 40064 refusal with every cause TikTok uses the code for', async () => {
    await sandbox.fault({ path: SEND, code: 40064 });

    const outcome = await messenger.send({
      conversationId: chat.conversationId,
      messageId: `m-${sequence}`,
      text: 'blocked',
    });

    expect(outcome).toMatchObject({ status: 'failed', reason: 'messaging_limit' });
    const detail = outcome.status === 'failed' ? outcome.detail : '';
    for (const cause of ['48-hour', 'message cap', 'daily limit', 'too fast']) {
      expect(detail).toContain(cause);
    }
  });

  it('asks again whether images can be received after TikTok refuses one, and a retry sends only the failed part', async () => {
    const png = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#123' } })
      .png()
      .toBuffer();
    // The cache says yes (asked before); then the customer's region stops allowing images.
    await host.db.query(
      `UPDATE tiktok_conversations SET image_send_capability = true, capabilities_checked_at = now()`,
    );
    await sandbox.setImageSend(chat.userId, false);
    const messageId = `img-${sequence}`;
    const text = `caption ${sequence}`;

    const first = await messenger.send({
      conversationId: chat.conversationId,
      messageId,
      text,
      attachments: [{ contentType: 'image/png', fileName: 'p.png', bytes: png }],
    });

    expect(first).toMatchObject({
      status: 'failed',
      reason: 'image_not_supported',
      parts: [
        { kind: 'text', status: 'sent' },
        { kind: 'image', status: 'failed', reason: 'image_not_supported' },
      ],
    });
    await sandbox.setImageSend(chat.userId, true);
    await host.db.query(`UPDATE tiktok_conversations SET capabilities_checked_at = NULL`);

    const retried = await messenger.retry({ messageId });

    expect(retried).toMatchObject({ status: 'sent' });
    const items = await sandbox.fromBusiness(chat.tiktokConversationId);
    expect(items.filter((item) => item.text === text)).toHaveLength(1);
    expect(items.filter((item) => item.type === 'image')).toHaveLength(1);
    expect(
      host.port.statuses.filter((s) => s.messageId === messageId).map((s) => s.status),
    ).toEqual(['failed', 'sent']);
  });

  it('matches a held-back echo once the reconciled part stores its id, so the host gets no copy', async () => {
    await sandbox.fault({ path: SEND, afterAccept: 'timeout' });
    const text = `echo once ${sequence}`;

    const outcome = await messenger.send({
      conversationId: chat.conversationId,
      messageId: `m-${sequence}`,
      text,
    });
    await settleTiktokChannel(host.app);

    expect(outcome.status).toBe('sent');
    const copies = host.port
      .appended()
      .filter((message) => message.direction === 'outgoing' && message.content === text);
    expect(copies).toEqual([]);
  });

  /** Sends a text straight to the sandbox, as our process did before it died; its message id. */
  async function sendDirectly(text: string): Promise<string> {
    const { rows } = await host.db.query(`SELECT id FROM tiktok_accounts WHERE business_id = $1`, [
      shop.businessId,
    ]);
    const token = await host.app
      .get((await import('../../libs/tiktok-channel/src')).TiktokTokenService)
      .getAccessToken(rows[0].id);
    const response = await fetch(`${host.sandbox.apiBaseUrl}business/message/send/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'access-token': token },
      body: JSON.stringify({
        business_id: shop.businessId,
        recipient_type: 'CONVERSATION',
        recipient: chat.tiktokConversationId,
        message_type: 'TEXT',
        text: { body: text },
      }),
    });
    const envelope = (await response.json()) as { data: { message: { message_id: string } } };
    return envelope.data.message.message_id;
  }

  /** The rows a crashed process leaves: a request, a part, the conversation due, no live lease. */
  async function leaveCrashedPart(
    messageId: string,
    text: string,
    status: 'sending' | 'pending' = 'sending',
  ): Promise<void> {
    await host.db.query(
      `WITH c AS (SELECT id, account_id FROM tiktok_conversations WHERE host_conversation_id = $1),
            r AS (INSERT INTO tiktok_outbound_requests (host_message_id, account_id, conversation_id, status)
                  SELECT $2, account_id, id, 'pending' FROM c)
       INSERT INTO tiktok_outbound_messages
         (account_id, conversation_id, host_message_id, part_index, message_type, kind, body, status,
          attempts, attempt_started_at, next_attempt_at, created_at)
       SELECT account_id, id, $2, 0, 'TEXT', 'text', $3, $4,
              CASE WHEN $4 = 'sending' THEN 1 ELSE 0 END,
              CASE WHEN $4 = 'sending' THEN now() - interval '2 seconds' END,
              now(), now() - interval '2 seconds'
         FROM c`,
      [chat.conversationId, messageId, text, status],
    );
    await host.db.query(
      `UPDATE tiktok_conversations SET outbound_due_at = now(), outbound_lease_until = now() - interval '1 second',
              outbound_lease_owner = gen_random_uuid()
        WHERE host_conversation_id = $1`,
      [chat.conversationId],
    );
  }
});

/**
 * A second instance of the library on the same database and sandbox (another process, as far as
 * the database is concerned), with its own options and its own recording of port calls and events.
 */
async function startLibraryHostSharing(
  host: LibraryHost,
  options: { sendWaitMs: number },
): Promise<{
  messenger: TiktokMessenger;
  statuses(messageId: string): string[];
  events(messageId: string): string[];
  close(): Promise<void>;
}> {
  const { startSecondInstance } = await import('../support/second-instance');
  const second = await startSecondInstance(host, options);
  const events: Array<{ name: string; messageId: string }> = [];
  second.app.get(EventEmitter2).onAny((name: string | string[], payload: unknown) => {
    const event = payload as MessageSentEvent | MessageFailedEvent | MessagePendingEvent;
    events.push({ name: String(name), messageId: event.messageId });
  });
  return {
    messenger: second.app.get(TiktokMessenger),
    statuses: (messageId) =>
      second.port.statuses.filter((s) => s.messageId === messageId).map((s) => s.status),
    events: (messageId) => events.filter((e) => e.messageId === messageId).map((e) => e.name),
    close: () => second.close(),
  };
}
