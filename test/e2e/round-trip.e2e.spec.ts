import { InboundProcessor, signTiktokPayload } from '../../libs/tiktok-channel/src/testing';
import { eventually, followRedirects, startHarness, type Harness } from '../support/e2e-harness';
import { HelpdeskClient } from '../support/helpdesk-client';
import { SandboxControl } from '../support/sandbox-control';

describe('A TikTok direct message round trip through the demo helpdesk', () => {
  let h: Harness;
  let sandbox: SandboxControl;
  let helpdesk: HelpdeskClient;

  beforeAll(async () => {
    h = await startHarness();
    sandbox = new SandboxControl(h.sandbox.url);
    helpdesk = new HelpdeskClient(h.url);
  });

  afterAll(async () => {
    await h?.close();
  });

  it('connects, receives, replies, ignores its own echo and stores a redelivered webhook once', async () => {
    // Connect: consent queued at the sandbox, then the authorize route followed like a browser.
    await sandbox.queueConsent('shopdemo', 'business', 'approve');
    const hops = await followRedirects(`${h.url}/tiktok/oauth/authorize`);
    const landing = new URL(hops[hops.length - 1]);
    expect(landing.origin).toBe(h.url);
    expect(landing.pathname).toBe('/');
    expect(landing.searchParams.get('tiktok_status')).toBe('connected');
    expect(hops.some((hop) => hop.startsWith(h.sandbox.authorizeUrl))).toBe(true);

    const [inbox] = await helpdesk.inboxes();
    expect(inbox.channel).toMatchObject({ type: 'tiktok', username: 'shopdemo', status: 'active' });
    const businessId = inbox.channel.businessId;

    // A TikTok user writes: the webhook arrives and becomes a conversation with one message.
    const userId = await sandbox.createUser('mia.k', 'Mia');
    const inbound = await sandbox.sendAsUser(userId, businessId, 'Is the blue one in stock?');
    const conversation = await eventually(
      async () => (await helpdesk.conversations(inbox.id))[0],
      'the conversation',
    );
    expect(conversation.contact).toMatchObject({ tiktokUserId: userId, username: 'mia.k' });
    const received = await eventually(
      async () => (await helpdesk.messages(conversation.id))[0],
      'the message',
    );
    expect(received).toMatchObject({
      direction: 'incoming',
      content: 'Is the blue one in stock?',
      externalId: inbound.messageId,
    });

    // The agent replies: the TikTok user sees it.
    const reply = await helpdesk.reply(conversation.id, 'Yes, in every size!');
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ direction: 'outgoing', status: 'sent' });
    const seen = await sandbox.conversation(inbound.conversationId);
    expect(seen.map((m) => [m.from, m.text])).toEqual([
      ['user', 'Is the blue one in stock?'],
      ['business', 'Yes, in every size!'],
    ]);

    // The im_send_msg echo of that reply is processed and recognised as ours: still two messages.
    await eventually(async () => {
      const { rows } = await h.sql.query(
        `SELECT status FROM tiktok_webhook_events WHERE event = 'im_send_msg' AND status = 'processed'`,
      );
      return rows.length === 1;
    }, 'the echo to be processed');
    expect((await helpdesk.messages(conversation.id)).map((m) => [m.direction, m.content])).toEqual(
      [
        ['incoming', 'Is the blue one in stock?'],
        ['outgoing', 'Yes, in every size!'],
      ],
    );

    // The same webhook delivered twice yields one message.
    const content = {
      conversation_id: inbound.conversationId,
      message_id: 'msg_redelivered_1',
      timestamp: Date.now(),
      type: 'text',
      text: { body: 'Can I pick it up today?' },
      from: 'mia.k',
      from_user: { id: userId, role: 'personal_account' },
      to: 'shopdemo',
      to_user: { id: businessId, role: 'business_account' },
    };
    const body = Buffer.from(
      JSON.stringify({
        client_key: h.config.tiktok.appId,
        event: 'im_receive_msg',
        create_time: Math.floor(Date.now() / 1000),
        user_openid: businessId,
        content: JSON.stringify(content),
      }),
    );
    for (let delivery = 0; delivery < 2; delivery++) {
      const response = await fetch(`${h.url}/tiktok/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'TikTok-Signature': signTiktokPayload(
            h.config.tiktok.appSecret,
            Math.floor(Date.now() / 1000),
            body,
          ),
        },
        body,
      });
      expect(response.status).toBe(200);
    }
    await eventually(
      async () => (await helpdesk.messages(conversation.id)).length === 3,
      'the redelivered message',
    );
    const { rows } = await h.sql.query(
      `SELECT count(*)::int AS n FROM tiktok_webhook_events WHERE dedupe_key LIKE '%msg_redelivered_1'`,
    );
    expect(rows[0].n).toBe(1);
    // Let any straggling processing finish, then check again that nothing was duplicated.
    await h.app.get(InboundProcessor).settle();
    const finalMessages = await helpdesk.messages(conversation.id);
    expect(finalMessages.filter((m) => m.content === 'Can I pick it up today?')).toHaveLength(1);
  });
});
