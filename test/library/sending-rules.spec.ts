import { TiktokMessenger } from '../../libs/tiktok-channel/src';
import { InboundProcessor } from '../../libs/tiktok-channel/src/testing';
import { followRedirects } from '../support/e2e-harness';
import { startLibraryHost, webhookEnvelope, type LibraryHost } from '../support/library-host';
import { SandboxControl, SandboxFaults } from '../support/sandbox-control';

describe('Sending enforces TikTok rules before calling TikTok (module registered with forRootAsync)', () => {
  let host: LibraryHost;
  let sandbox: SandboxControl;
  let businessId: string;
  let messenger: TiktokMessenger;
  let conversationId: string;
  let tiktokConversationId: string;

  beforeAll(async () => {
    host = await startLibraryHost('forRootAsync');
    sandbox = new SandboxControl(host.sandbox.url);
    await sandbox.queueConsent('rulesshop', 'business', 'approve');
    await followRedirects(`${host.url}/tiktok/oauth/authorize`);
    const { rows } = await host.db.query(`SELECT business_id FROM tiktok_accounts`);
    businessId = rows[0].business_id;
    messenger = host.app.get(TiktokMessenger);
    const userId = await sandbox.createUser('rules.fan', 'Rules Fan');
    const sent = await sandbox.sendAsUser(userId, businessId, 'hello');
    tiktokConversationId = sent.conversationId;
    conversationId = (await host.received(sent.messageId)).conversationId;
  });

  afterAll(async () => {
    await host?.close();
  });

  const sends = async () => (await sandbox.stats()).sends;

  it('after the 48-hour window refuses at once, naming the rule, without calling TikTok', async () => {
    await host.db.query(
      `UPDATE tiktok_conversations SET last_inbound_at = now() - interval '49 hours'`,
    );
    try {
      const before = await sends();
      const outcome = await messenger.send({
        conversationId,
        messageId: 'late-1',
        content: 'sorry for the wait',
      });
      expect(outcome).toMatchObject({
        status: 'failed',
        reason: 'reply_window_expired',
        refused: true,
      });
      expect(await sends()).toBe(before);
      expect(host.port.statuses).toContainEqual({
        messageId: 'late-1',
        status: 'failed',
        reason: 'reply_window_expired',
      });
    } finally {
      await host.db.query(`UPDATE tiktok_conversations SET last_inbound_at = now()`);
    }
  });

  it('refuses to write first in a conversation the customer never wrote in', async () => {
    // A conversation the host only knows from a message the business typed in the TikTok app.
    await host.deliver(
      webhookEnvelope('im_send_msg', businessId, {
        conversation_id: 'conv-business-first',
        message_id: 'app-typed-1',
        timestamp: Date.now(),
        type: 'text',
        text: { body: 'hi there' },
        from_user: { id: businessId, role: 'business_account' },
        to_user: { id: 'user_never_wrote', role: 'personal_account' },
      }),
    );
    await host.app.get(InboundProcessor).settle();
    const echo = host.port.messages.get('app-typed-1')?.message;
    expect(echo).toBeDefined();
    const before = await sends();
    const outcome = await messenger.send({
      conversationId: echo?.conversationId as string,
      messageId: 'first-1',
      content: 'special offer!',
    });
    expect(outcome).toMatchObject({ status: 'failed', reason: 'first_contact_required' });
    expect(await sends()).toBe(before);
  });

  it('splits a text longer than 6,000 characters into TikTok-sized messages', async () => {
    const long = Array.from({ length: 1500 }, (_, i) => `line${i}`).join(' ');
    const outcome = await messenger.send({ conversationId, messageId: 'long-1', content: long });
    expect(outcome).toMatchObject({ status: 'sent' });
    expect(outcome.status === 'sent' && outcome.tiktokMessageIds.length).toBe(
      Math.ceil(long.length / 6000),
    );
    const seen = await sandbox.conversation(tiktokConversationId);
    expect(
      seen
        .filter((m) => outcome.status === 'sent' && outcome.tiktokMessageIds.includes(m.messageId))
        .map((m) => m.text)
        .join(' '),
    ).toBe(long);
  });

  it('sends a host message once even when the host asks twice', async () => {
    const before = await sends();
    const first = await messenger.send({
      conversationId,
      messageId: 'twice-1',
      content: 'only once please',
    });
    const second = await messenger.send({
      conversationId,
      messageId: 'twice-1',
      content: 'only once please',
    });
    expect(second).toEqual(first);
    expect(await sends()).toBe(before + 1);
  });

  it("maps TikTok's messaging-limit refusal to a clear reason", async () => {
    await new SandboxFaults(host.sandbox.url).plan({
      path: '/business/message/send/',
      code: 40064,
      times: 1,
    });
    const outcome = await messenger.send({
      conversationId,
      messageId: 'capped-1',
      content: 'one more',
    });
    expect(outcome).toMatchObject({ status: 'failed', reason: 'messaging_limit' });
  });

  it('retries a throttled send and delivers it', async () => {
    await new SandboxFaults(host.sandbox.url).plan({
      path: '/business/message/send/',
      code: 40100,
      times: 1,
    });
    const outcome = await messenger.send({
      conversationId,
      messageId: 'throttled-1',
      content: 'patience',
    });
    expect(outcome.status).toBe('sent');
  });
});

describe('A host that opts into the messages TikTok reportedly allows after the window', () => {
  let host: LibraryHost;

  beforeAll(async () => {
    host = await startLibraryHost('forRoot', { options: { maxMessagesAfterReplyWindow: 3 } });
  });

  afterAll(async () => {
    await host?.close();
  });

  it('sends that many once the window lapsed, then refuses without calling TikTok', async () => {
    const sandbox = new SandboxControl(host.sandbox.url);
    await sandbox.queueConsent('lateshop', 'business', 'approve');
    await followRedirects(`${host.url}/tiktok/oauth/authorize`);
    const { rows } = await host.db.query(`SELECT business_id FROM tiktok_accounts`);
    const userId = await sandbox.createUser('late.fan', 'Late Fan');
    const sent = await sandbox.sendAsUser(userId, rows[0].business_id, 'hello');
    const conversationId = (await host.received(sent.messageId)).conversationId;
    await host.db.query(
      `UPDATE tiktok_conversations SET last_inbound_at = now() - interval '49 hours'`,
    );
    const messenger = host.app.get(TiktokMessenger);
    for (const n of [1, 2, 3]) {
      const outcome = await messenger.send({
        conversationId,
        messageId: `late-ok-${n}`,
        content: `follow-up ${n}`,
      });
      expect(outcome.status).toBe('sent');
    }
    const before = (await sandbox.stats()).sends;
    const outcome = await messenger.send({
      conversationId,
      messageId: 'late-4',
      content: 'one too many',
    });
    expect(outcome).toMatchObject({ status: 'failed', reason: 'reply_window_expired' });
    expect((await sandbox.stats()).sends).toBe(before);
  });
});
