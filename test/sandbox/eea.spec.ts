import { RunningSandbox } from 'tiktok-sandbox';
import {
  TokenData,
  WebhookReceiver,
  api,
  connectAccount,
  control,
  createUser,
  registerWebhook,
  sendText,
  startTestSandbox,
  userWrites,
} from './sandbox-kit';

interface ConversationList {
  conversations: { conversation_id: string; update_time?: number; up_time?: number }[];
  has_more: boolean;
  cursor: string;
}

interface ContentList {
  messages: Record<string, unknown>[];
  participants: { id: string; role: string; username: string }[];
}

describe('TikTok sandbox: EEA customers, conversation/list and content/list', () => {
  let sandbox: RunningSandbox;
  let receiver: WebhookReceiver;
  let shop: TokenData;
  let elsa: string;

  beforeAll(async () => {
    sandbox = await startTestSandbox({ rateLimitPerSecond: 0 });
    receiver = await new WebhookReceiver().start();
  });
  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
  });
  beforeEach(async () => {
    await control(sandbox, 'POST', '/sandbox/reset');
    receiver.clear();
    shop = await connectAccount(sandbox, 'shopdemo');
    const { body } = await control<{ userId: string }>(sandbox, 'POST', '/sandbox/users', {
      username: 'elsa.de',
      eea: true,
    });
    elsa = body.userId;
    await registerWebhook(sandbox, receiver.url);
  });

  function conversationList(query: Record<string, string> = {}) {
    return api<ConversationList>(sandbox, 'GET', 'business/message/conversation/list/', {
      token: shop.access_token,
      query: { business_id: shop.open_id, conversation_type: 'STRANGER', ...query },
    });
  }

  function contentList(conversationId: string) {
    return api<ContentList>(sandbox, 'GET', 'business/message/content/list/', {
      token: shop.access_token,
      query: { business_id: shop.open_id, conversation_id: conversationId },
    });
  }

  it('sends an EEA person only the stripped im_receive_msg_eu: to, to_user and timestamp', async () => {
    const written = await userWrites(sandbox, elsa, shop.open_id, 'Hallo!', 1_764_000_000_321);
    const [delivery] = await receiver.waitForCount(1);
    expect(delivery.signatureValid).toBe(true);
    expect(delivery.body.event).toBe('im_receive_msg_eu');
    expect(delivery.body.user_openid).toBe(shop.open_id);
    expect(delivery.content).toEqual({
      to: 'shopdemo',
      to_user: { id: shop.open_id, role: 'business_account' },
      timestamp: 1_764_000_000_321,
    });
    expect(delivery.rawBody.toString()).not.toContain('Hallo');

    // The message itself is only in the history, found through conversation/list.
    const { envelope: list } = await conversationList();
    expect(list.data.conversations).toEqual([
      { conversation_id: written.conversationId, update_time: 1_764_000_000_321 },
    ]);
    const { envelope: content } = await contentList(written.conversationId);
    expect(content.data.messages).toEqual([
      expect.objectContaining({
        message_id: written.messageId,
        type: 'TEXT',
        text: { body: 'Hallo!' },
        timestamp: 1_764_000_000_321,
        from_user: { id: elsa, role: 'PERSONAL_ACCOUNT' },
      }),
    ]);
  });

  it('delivers both the normal and the EEA event for one message when asked', async () => {
    const { body: created } = await control<{ messageId: string; events: string[] }>(
      sandbox,
      'POST',
      '/sandbox/messages',
      { fromUserId: elsa, toBusinessId: shop.open_id, text: 'Twice', deliver: 'both' },
    );
    expect(created.events).toEqual(['im_receive_msg', 'im_receive_msg_eu']);
    const deliveries = await receiver.waitForCount(2);
    const byEvent = Object.fromEntries(deliveries.map((item) => [item.body.event, item.content]));
    expect(byEvent.im_receive_msg).toMatchObject({ message_id: created.messageId });
    expect(byEvent.im_receive_msg_eu.timestamp).toBe(byEvent.im_receive_msg.timestamp);

    // Redelivery repeats both.
    const again = await control<{ events: string[] }>(
      sandbox,
      'POST',
      '/sandbox/webhooks/redeliver',
      {
        messageId: created.messageId,
      },
    );
    expect(again.body.events).toEqual(['im_receive_msg', 'im_receive_msg_eu']);
    await receiver.waitForCount(4);
  });

  it('switches a person in and out of the EEA, and sends an EEA event for anyone when asked', async () => {
    const mia = await createUser(sandbox, 'mia.k');
    await userWrites(sandbox, mia, shop.open_id, 'normal');
    await receiver.waitForCount(1);
    expect(receiver.received[0].body.event).toBe('im_receive_msg');

    const region = await control(sandbox, 'POST', `/sandbox/users/${mia}/region`, { eea: true });
    expect(region.body).toEqual({ userId: mia, eea: true });
    await userWrites(sandbox, mia, shop.open_id, 'now EEA');
    await receiver.waitForCount(2);
    expect(receiver.received[1].body.event).toBe('im_receive_msg_eu');

    await control(sandbox, 'POST', `/sandbox/users/${mia}/region`, { eea: false });
    await control(sandbox, 'POST', '/sandbox/messages', {
      fromUserId: mia,
      toBusinessId: shop.open_id,
      text: 'forced',
      deliver: 'eea',
    });
    await receiver.waitForCount(3);
    expect(receiver.received[2].body.event).toBe('im_receive_msg_eu');

    expect((await control(sandbox, 'POST', `/sandbox/users/${mia}/region`, {})).status).toBe(400);
    expect(
      (await control(sandbox, 'POST', '/sandbox/users/user_nope/region', { eea: true })).status,
    ).toBe(400);
  });

  it('names the time up_time, update_time or both in conversation/list, as configured', async () => {
    const written = await userWrites(sandbox, elsa, shop.open_id, 'Hi', 1_764_000_000_000);
    for (const [timeField, expected] of [
      ['up_time', { up_time: 1_764_000_000_000 }],
      ['both', { update_time: 1_764_000_000_000, up_time: 1_764_000_000_000 }],
      ['update_time', { update_time: 1_764_000_000_000 }],
    ] as const) {
      const set = await control(sandbox, 'POST', '/sandbox/conversation-list', { timeField });
      expect(set.body).toEqual({ timeField });
      const { envelope } = await conversationList();
      expect(envelope.data.conversations).toEqual([
        { conversation_id: written.conversationId, ...expected },
      ]);
    }
    expect(
      (await control(sandbox, 'POST', '/sandbox/conversation-list', { timeField: 'x' })).status,
    ).toBe(400);
  });

  it('pages conversation/list with limit ≤ 100, cursor and has_more, newest first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const person = await createUser(sandbox, `person.${i}`);
      ids.push(
        (await userWrites(sandbox, person, shop.open_id, `hi ${i}`, 1_764_000_000_000 + i))
          .conversationId,
      );
    }
    const first = await conversationList({ limit: '2' });
    expect(first.envelope.data.conversations.map((item) => item.conversation_id)).toEqual([
      ids[2],
      ids[1],
    ]);
    expect(first.envelope.data.has_more).toBe(true);
    const second = await conversationList({ limit: '2', cursor: first.envelope.data.cursor });
    expect(second.envelope.data.conversations.map((item) => item.conversation_id)).toEqual([
      ids[0],
    ]);
    expect(second.envelope.data.has_more).toBe(false);
    expect((await conversationList({ limit: '101' })).envelope.code).toBe(40002);

    // Answered once: SINGLE, no longer STRANGER.
    await sendText(sandbox, shop, ids[0], 'Hello!');
    const single = await conversationList({ conversation_type: 'SINGLE' });
    expect(single.envelope.data.conversations.map((item) => item.conversation_id)).toEqual([
      ids[0],
    ]);
  });

  it('answers content/list with the 20 latest messages, newest first, every type in upper case', async () => {
    const first = await userWrites(sandbox, elsa, shop.open_id, 'message 0', 1_764_000_000_000);
    for (let i = 1; i < 22; i++) {
      await userWrites(sandbox, elsa, shop.open_id, `message ${i}`, 1_764_000_000_000 + i * 1000);
    }
    for (const [type, extra] of [
      ['image', {}],
      ['video', {}],
      ['sticker', {}],
      ['emoji', {}],
      ['share_post', { videoId: '7301234567890123456', withEmbedUrl: false }],
      ['template', {}],
    ] as const) {
      await control(sandbox, 'POST', '/sandbox/messages', {
        fromUserId: elsa,
        toBusinessId: shop.open_id,
        type,
        ...extra,
      });
    }
    const { envelope } = await contentList(first.conversationId);
    expect(envelope.code).toBe(0);
    const messages = envelope.data.messages;
    expect(messages).toHaveLength(20);
    expect(
      messages
        .slice(0, 6)
        .map((message) => message.type)
        .sort(),
    ).toEqual(['EMOJI', 'IMAGE', 'SHARE_POST', 'STICKER', 'TEMPLATE', 'VIDEO']);
    const byType = Object.fromEntries(messages.map((message) => [message.type, message]));
    expect(byType.IMAGE.image).toEqual({ media_id: expect.stringMatching(/^media_/) });
    expect(byType.VIDEO.video).toEqual({ media_id: expect.stringMatching(/^media_/) });
    expect(byType.STICKER.sticker).toEqual({
      url: expect.stringContaining('/sandbox-cdn/assets/'),
    });
    expect(byType.SHARE_POST.share_post).toEqual({ video_id: '7301234567890123456' });
    expect(byType.TEMPLATE.template).toMatchObject({ type: 'QA_BUTTON_CARD' });
    // Only the latest: the first texts are gone, with no way to page back.
    const texts = messages
      .filter((message) => message.type === 'TEXT')
      .map((message) => (message.text as { body: string }).body);
    expect(texts).toHaveLength(14);
    expect(texts).not.toContain('message 0');
    expect(texts[0]).toBe('message 21');
    expect(envelope.data.participants).toEqual([
      expect.objectContaining({ id: elsa, role: 'PERSONAL_ACCOUNT', username: 'elsa.de' }),
      expect.objectContaining({ id: shop.open_id, role: 'BUSINESS_ACCOUNT', username: 'shopdemo' }),
    ]);
  });
});
