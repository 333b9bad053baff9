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

interface Created {
  conversationId: string;
  messageId: string;
  webhook: string;
  events: string[];
  mediaId?: string;
  url?: string;
}

interface CreatedEvent {
  conversationId: string;
  eventId: string;
  event: string;
  webhook: string;
}

describe('TikTok sandbox: every inbound type, driven from the control API', () => {
  let sandbox: RunningSandbox;
  let receiver: WebhookReceiver;
  let shop: TokenData;
  let mia: string;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
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
    mia = await createUser(sandbox, 'mia.k');
    await registerWebhook(sandbox, receiver.url);
  });

  async function personSends(body: Record<string, unknown>): Promise<Created> {
    const { status, body: created } = await control<Created>(sandbox, 'POST', '/sandbox/messages', {
      fromUserId: mia,
      toBusinessId: shop.open_id,
      ...body,
    });
    if (status !== 201)
      throw new Error(`POST /sandbox/messages: ${status} ${JSON.stringify(created)}`);
    return created;
  }

  /** The content of the only webhook delivered since the last clear. */
  async function nextContent(): Promise<Record<string, unknown>> {
    const [delivery] = await receiver.waitForCount(1);
    expect(delivery.signatureValid).toBe(true);
    receiver.clear();
    return delivery.content;
  }

  const person = () => ({ id: mia, role: 'personal_account' });
  const company = () => ({ id: shop.open_id, role: 'business_account' });

  it.each([
    ['png', 'image'],
    ['jpeg', 'image'],
    [undefined, 'video'],
  ])('sends a %s %s with a media_id that media/download knows', async (format, type) => {
    const created = await personSends({ type, ...(format ? { media: { format } } : {}) });
    expect(created.mediaId).toMatch(/^media_/);
    expect(created.events).toEqual(['im_receive_msg']);
    const content = await nextContent();
    expect(content).toEqual({
      conversation_id: created.conversationId,
      message_id: created.messageId,
      timestamp: expect.any(Number),
      type,
      [type]: { media_id: created.mediaId },
      from: 'mia.k',
      to: 'shopdemo',
      from_user: person(),
      to_user: company(),
    });
  });

  it.each(['sticker', 'emoji'])('sends a %s whose url serves a PNG', async (type) => {
    const created = await personSends({ type });
    const content = await nextContent();
    expect(content).toMatchObject({ type, [type]: { url: created.url } });
    const response = await fetch(String(created.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    expect(
      (await fetch(String(created.url).replace(/[^/]+\.png$/, 'sticker_nope.png'))).status,
    ).toBe(404);
  });

  it('sends a share_post with embed_url and video_id, or with only the video_id', async () => {
    await personSends({ type: 'share_post', videoId: '7301234567890123456' });
    expect(await nextContent()).toMatchObject({
      type: 'share_post',
      share_post: {
        embed_url: 'https://www.tiktok.com/embed/v2/7301234567890123456',
        video_id: '7301234567890123456',
      },
    });
    await personSends({ type: 'share_post', videoId: '7301234567890123457', withEmbedUrl: false });
    const bare = await nextContent();
    expect(bare.share_post).toEqual({ video_id: '7301234567890123457' });
  });

  it('sends a template card, and a button reply carrying reply_source_payload', async () => {
    await personSends({
      type: 'template',
      template: { title: 'Where is my order?', buttons: [{ text: 'Track', id: 'track' }] },
    });
    expect(await nextContent()).toMatchObject({
      type: 'template',
      template: {
        type: 'qa_button_card',
        elements: [
          { title: 'Where is my order?', buttons: [{ text: 'Track', type: 'reply', id: 'track' }] },
        ],
      },
    });
    await personSends({ type: 'text', text: 'Track', replySourcePayload: 'track' });
    expect(await nextContent()).toMatchObject({
      type: 'text',
      text: { body: 'Track' },
      reply_source_payload: 'track',
    });
  });

  it('sends a quoted reply naming a message of the conversation, and refuses one of elsewhere', async () => {
    const first = await userWrites(sandbox, mia, shop.open_id, 'Hello');
    await nextContent();
    const sent = await sendText(sandbox, shop, first.conversationId, 'Hi, how can we help?');
    await nextContent(); // the echo
    await personSends({
      type: 'text',
      text: 'This!',
      referencedMessageId: sent.data.message.message_id,
    });
    expect(await nextContent()).toMatchObject({
      text: { body: 'This!' },
      referenced_message_info: { referenced_message_id: sent.data.message.message_id },
    });
    const refused = await control(sandbox, 'POST', '/sandbox/messages', {
      fromUserId: mia,
      toBusinessId: shop.open_id,
      text: 'That',
      referencedMessageId: 'msg_elsewhere',
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('referencedMessageId');
  });

  it('sends is_follower and auto_message_type only when given', async () => {
    const created = await personSends({ type: 'text', text: 'Fan here', isFollower: true });
    expect(await nextContent()).toMatchObject({ text: { body: 'Fan here' }, is_follower: true });
    await control(sandbox, 'POST', '/sandbox/business-messages', {
      conversationId: created.conversationId,
      text: 'Welcome!',
      autoMessageType: 'welcome_message',
    });
    const welcome = await nextContent();
    expect(welcome).toMatchObject({
      auto_message_type: 'welcome_message',
      message_tag: { source: 'APP' },
    });
    expect(welcome).not.toHaveProperty('is_follower');
  });

  it('sends a type the sandbox does not know with its block named after it', async () => {
    const created = await personSends({ type: 'poll', payload: { question: 'Red or blue?' } });
    const content = await nextContent();
    expect(content).toMatchObject({ type: 'poll', poll: { question: 'Red or blue?' } });
    const view = await control<{ type: string }[]>(
      sandbox,
      'GET',
      `/sandbox/conversations/${encodeURIComponent(created.conversationId)}/messages`,
    );
    expect(view.body.map((message) => message.type)).toEqual(['poll']);
  });

  it('refuses bad message input with a 400 naming the field, and opens no conversation', async () => {
    for (const [body, field] of [
      [{ type: 'Image!' }, 'type'],
      [{ type: 'reaction' }, 'reactions'],
      [{ type: 'image', media: { format: 'gif' } }, 'media.format'],
      [{ type: 'image', media: { size: 0 } }, 'media.size'],
      [{ type: 'template', template: { buttons: [{ id: 'x' }] } }, 'template.buttons[0].text'],
      [{ type: 'text', text: 'x', isFollower: 'yes' }, 'isFollower'],
      [{ type: 'text', text: 'x', wire: { casing: 'shouting' } }, 'wire.casing'],
      [{ type: 'text', text: 'x', wire: { timestamp: 's' } }, 'unknown fields'],
      [{ type: 'text', text: 'x', wire: { ids: 'number' } }, 'numericId'],
      [{ type: 'text', text: 'x', deliver: 'sometimes' }, 'deliver'],
    ] as const) {
      const { status, body: answer } = await control(sandbox, 'POST', '/sandbox/messages', {
        fromUserId: mia,
        toBusinessId: shop.open_id,
        ...body,
      });
      expect({ body, status }).toEqual({ body, status: 400 });
      expect(JSON.stringify(answer)).toContain(field);
    }
    const { envelope } = await api<{ conversations: unknown[] }>(
      sandbox,
      'GET',
      'business/message/conversation/list/',
      {
        token: shop.access_token,
        query: { business_id: shop.open_id, conversation_type: 'STRANGER' },
      },
    );
    expect(envelope.data.conversations).toEqual([]);
    expect(receiver.received).toHaveLength(0);
  });

  it('sends reactions (ADD, REMOVE) on a message as im_receive_msg of type reaction, not as messages', async () => {
    const written = await userWrites(sandbox, mia, shop.open_id, 'Hello');
    const sent = await sendText(sandbox, shop, written.conversationId, 'Hi!');
    await receiver.waitForCount(2);
    receiver.clear();
    const target = sent.data.message.message_id;

    const added = await control<CreatedEvent>(sandbox, 'POST', '/sandbox/reactions', {
      messageId: target,
      emoji: '👍',
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      conversationId: written.conversationId,
      event: 'im_receive_msg',
      webhook: 'queued',
    });
    expect(await nextContent()).toEqual({
      conversation_id: written.conversationId,
      message_id: added.body.eventId,
      timestamp: expect.any(Number),
      type: 'reaction',
      reaction: [
        {
          operation: 'ADD',
          type: 'emoji',
          emoji: '👍',
          original_msg_id: target,
          timestamp: expect.any(Number),
        },
      ],
      from: 'mia.k',
      to: 'shopdemo',
      from_user: person(),
      to_user: company(),
    });
    await control(sandbox, 'POST', '/sandbox/reactions', {
      messageId: target,
      emoji: '👍',
      operation: 'REMOVE',
    });
    expect(await nextContent()).toMatchObject({
      reaction: [{ operation: 'REMOVE', original_msg_id: target }],
    });

    const reactions = await control<{ operation: string }[]>(
      sandbox,
      'GET',
      `/sandbox/conversations/${encodeURIComponent(written.conversationId)}/reactions`,
    );
    expect(reactions.body.map((reaction) => reaction.operation)).toEqual(['ADD', 'REMOVE']);
    // A reaction is not a message: the conversation keeps its two messages.
    const view = await control<unknown[]>(
      sandbox,
      'GET',
      `/sandbox/conversations/${encodeURIComponent(written.conversationId)}/messages`,
    );
    expect(view.body).toHaveLength(2);

    expect(
      (await control(sandbox, 'POST', '/sandbox/reactions', { messageId: 'msg_nope' })).status,
    ).toBe(404);
    expect(
      (
        await control(sandbox, 'POST', '/sandbox/reactions', {
          messageId: target,
          operation: 'add',
        })
      ).status,
    ).toBe(400);
  });

  it("sends the person's read receipt, and the business's own when asked", async () => {
    const written = await userWrites(sandbox, mia, shop.open_id, 'Hello');
    await nextContent();
    const byUser = await control<CreatedEvent>(sandbox, 'POST', '/sandbox/read-receipts', {
      conversationId: written.conversationId,
      lastReadTimestamp: 1_764_000_000_123,
    });
    expect(byUser.status).toBe(201);
    expect(byUser.body.event).toBe('im_mark_read_msg');
    const [delivery] = await receiver.waitForCount(1);
    expect(delivery.body.event).toBe('im_mark_read_msg');
    expect(delivery.content).toEqual({
      conversation_id: written.conversationId,
      timestamp: expect.any(Number),
      from: 'mia.k',
      to: 'shopdemo',
      from_user: person(),
      to_user: company(),
      read: { last_read_timestamp: 1_764_000_000_123 },
    });
    receiver.clear();

    await control(sandbox, 'POST', '/sandbox/read-receipts', {
      conversationId: written.conversationId,
      by: 'business',
    });
    const own = await nextContent();
    expect(own.from_user).toEqual(company());
    expect(own.to_user).toEqual(person());
    expect((own.read as { last_read_timestamp: number }).last_read_timestamp).toBeGreaterThan(1e12);
  });

  it('sends im_referral_msg for an ad or a tiktok.me link, with no message', async () => {
    const ad = await control<CreatedEvent>(sandbox, 'POST', '/sandbox/referrals', {
      fromUserId: mia,
      toBusinessId: shop.open_id,
      adId: '1790000000000042',
      adName: 'Blue dress',
    });
    expect(ad.status).toBe(201);
    const [delivery] = await receiver.waitForCount(1);
    expect(delivery.body.event).toBe('im_referral_msg');
    expect(delivery.content).toEqual({
      conversation_id: ad.body.conversationId,
      timestamp: expect.any(Number),
      from: 'mia.k',
      to: 'shopdemo',
      from_user: person(),
      to_user: company(),
      referral: {
        source: 'ad',
        ad: {
          ad_id: '1790000000000042',
          ad_name: 'Blue dress',
          embed_url: expect.stringMatching(/^https:\/\/www\.tiktok\.com\/embed\/v2\/\d+$/),
        },
      },
    });
    expect(delivery.content).not.toHaveProperty('message_id');
    receiver.clear();
    await control(sandbox, 'POST', '/sandbox/referrals', {
      fromUserId: mia,
      toBusinessId: shop.open_id,
      source: 'short_link',
      ref: 'summer',
    });
    // A refused referral opens no conversation.
    const other = await createUser(sandbox, 'other.person');
    const refused = await control(sandbox, 'POST', '/sandbox/referrals', {
      fromUserId: other,
      toBusinessId: shop.open_id,
      adId: 42,
    });
    expect(refused.status).toBe(400);
    const { envelope } = await api<{ conversations: unknown[] }>(
      sandbox,
      'GET',
      'business/message/conversation/list/',
      {
        token: shop.access_token,
        query: { business_id: shop.open_id, conversation_type: 'STRANGER' },
      },
    );
    expect(envelope.data.conversations).toHaveLength(1);
    expect((await nextContent()).referral).toEqual({
      source: 'short_link',
      short_link: { ref: 'summer', url: 'https://tiktok.me/shopdemo' },
    });
    const referrals = await control<unknown[]>(
      sandbox,
      'GET',
      `/sandbox/conversations/${encodeURIComponent(ad.body.conversationId)}/referrals`,
    );
    expect(referrals.body).toHaveLength(2);
  });

  it('sends a reply typed in the TikTok app as im_send_msg with message_tag.source APP, in any wire shape', async () => {
    const written = await userWrites(sandbox, mia, shop.open_id, 'Hello');
    await nextContent();
    const typed = await control<{ messageId: string; webhook: string }>(
      sandbox,
      'POST',
      '/sandbox/business-messages',
      {
        conversationId: written.conversationId,
        text: 'From my phone',
        wire: { toUser: false, ids: 'number' },
      },
    );
    expect(typed.body.webhook).toBe('queued');
    const [delivery] = await receiver.waitForCount(1);
    expect(delivery.body.event).toBe('im_send_msg');
    expect(delivery.content).toMatchObject({
      message_id: Number(typed.body.messageId),
      text: { body: 'From my phone' },
      from_user: company(),
      message_tag: { source: 'APP' },
    });
    expect(delivery.content).not.toHaveProperty('to_user');
  });

  it('redelivers a reaction, a read receipt or a referral by its eventId', async () => {
    const written = await userWrites(sandbox, mia, shop.open_id, 'Hello');
    await nextContent();
    const reaction = await control<CreatedEvent>(sandbox, 'POST', '/sandbox/reactions', {
      messageId: written.messageId,
    });
    const [first] = await receiver.waitForCount(1);
    const again = await control(sandbox, 'POST', '/sandbox/webhooks/redeliver', {
      messageId: reaction.body.eventId,
    });
    expect(again.status).toBe(202);
    const [, second] = await receiver.waitForCount(2);
    expect(second.rawBody.equals(first.rawBody)).toBe(true);
  });
});

describe('TikTok sandbox: wire-shape options', () => {
  let sandbox: RunningSandbox;
  let receiver: WebhookReceiver;
  let shop: TokenData;
  let numeric: string;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    receiver = await new WebhookReceiver().start();
    shop = await connectAccount(sandbox, 'shopdemo');
    const { body } = await control<{ userId: string }>(sandbox, 'POST', '/sandbox/users', {
      username: 'numbers.person',
      numericId: true,
    });
    numeric = body.userId;
    await registerWebhook(sandbox, receiver.url);
  });
  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
  });
  beforeEach(() => receiver.clear());

  async function send(body: Record<string, unknown>) {
    const { status, body: created } = await control<Created>(sandbox, 'POST', '/sandbox/messages', {
      fromUserId: numeric,
      toBusinessId: shop.open_id,
      ...body,
    });
    expect(status).toBe(201);
    const [delivery] = await receiver.waitForCount(1);
    receiver.clear();
    return { created, delivery };
  }

  it('gives a person created with numericId an all-digit id, and refuses to change an existing one', async () => {
    expect(numeric).toMatch(/^\d{16}$/);
    expect(Number.isSafeInteger(Number(numeric))).toBe(true);
    const again = await control(sandbox, 'POST', '/sandbox/users', { username: 'numbers.person' });
    expect(again.status).toBe(409);
  });

  it('uses upper-case enums with casing "rest"', async () => {
    const { delivery } = await send({ type: 'image', wire: { casing: 'rest' } });
    expect(delivery.content).toMatchObject({
      type: 'IMAGE',
      from_user: { id: numeric, role: 'PERSONAL_ACCOUNT' },
      to_user: { id: shop.open_id, role: 'BUSINESS_ACCOUNT' },
    });
  });

  it('sends content as an object with content "object"', async () => {
    const { delivery } = await send({ text: 'object please', wire: { content: 'object' } });
    expect(typeof delivery.body.content).toBe('object');
    expect(delivery.content).toMatchObject({ text: { body: 'object please' } });
  });

  it('sends all-digit ids as JSON numbers with ids "number"; the business open_id stays a string', async () => {
    const { created, delivery } = await send({ text: 'numbers', wire: { ids: 'number' } });
    expect(created.messageId).toMatch(/^\d+$/);
    expect(delivery.rawBody.toString()).toContain(`\\"message_id\\":${created.messageId}`);
    expect(delivery.content).toMatchObject({
      message_id: Number(created.messageId),
      from_user: { id: Number(numeric) },
      to_user: { id: shop.open_id },
    });
    // A reaction on it carries the numeric ids too.
    await control(sandbox, 'POST', '/sandbox/reactions', {
      messageId: created.messageId,
      wire: { ids: 'number' },
    });
    const [reaction] = await receiver.waitForCount(1);
    expect((reaction.content.reaction as { original_msg_id: unknown }[])[0].original_msg_id).toBe(
      Number(created.messageId),
    );
  });

  it('sends timestamps in seconds with timestamps "s", and in ms by default', async () => {
    const { delivery } = await send({
      text: 'seconds',
      timestamp: 1_764_000_000_123,
      wire: { timestamps: 's' },
    });
    expect(delivery.content.timestamp).toBe(1_764_000_000);
    const { delivery: usual } = await send({ text: 'ms', timestamp: 1_764_000_000_456 });
    expect(usual.content.timestamp).toBe(1_764_000_000_456);
  });

  it('names the sender only by unique_identifier, or both ways', async () => {
    const { delivery } = await send({ text: 'who', wire: { sender: 'unique_identifier' } });
    expect(delivery.content).not.toHaveProperty('from_user');
    expect(delivery.content.unique_identifier).toBe(numeric);
    const { delivery: both } = await send({ text: 'who', wire: { sender: 'both' } });
    expect(both.content).toMatchObject({ unique_identifier: numeric, from_user: { id: numeric } });
  });

  it('leaves to_user out with toUser false', async () => {
    const { delivery } = await send({ text: 'no to_user', wire: { toUser: false } });
    expect(delivery.content).not.toHaveProperty('to_user');
    expect(delivery.content.to).toBe('shopdemo');
  });

  it('combines the options on read receipts and referrals too', async () => {
    const { created } = await send({ text: 'hi' });
    await control(sandbox, 'POST', '/sandbox/read-receipts', {
      conversationId: created.conversationId,
      lastReadTimestamp: 1_764_000_000_999,
      wire: { casing: 'rest', timestamps: 's', ids: 'number', content: 'object' },
    });
    const [read] = await receiver.waitForCount(1);
    expect(typeof read.body.content).toBe('object');
    expect(read.content).toMatchObject({
      from_user: { id: Number(numeric), role: 'PERSONAL_ACCOUNT' },
      read: { last_read_timestamp: 1_764_000_000 },
    });
    receiver.clear();
    await control(sandbox, 'POST', '/sandbox/referrals', {
      fromUserId: numeric,
      toBusinessId: shop.open_id,
      wire: { casing: 'rest', sender: 'unique_identifier' },
    });
    const [referral] = await receiver.waitForCount(1);
    expect(referral.content).toMatchObject({
      unique_identifier: numeric,
      referral: { source: 'AD' },
    });
    expect(referral.content).not.toHaveProperty('from_user');
  });
});
