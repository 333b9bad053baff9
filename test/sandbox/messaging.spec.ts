import { RunningSandbox } from 'tiktok-sandbox';
import {
  TokenData,
  api,
  connectAccount,
  control,
  createUser,
  sendText,
  startTestSandbox,
  userWrites,
} from './sandbox-kit';

const HOUR = 60 * 60 * 1000;

describe('TikTok sandbox Business Messaging', () => {
  let sandbox: RunningSandbox;
  let shop: TokenData;
  let mia: string;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });
  afterAll(() => sandbox.close());
  beforeEach(async () => {
    await control(sandbox, 'POST', '/sandbox/reset');
    shop = await connectAccount(sandbox, 'shopdemo');
    mia = await createUser(sandbox, 'mia.k');
  });

  function conversationView(conversationId: string) {
    return control<{ messageId: string; from: string; text: string }[]>(
      sandbox,
      'GET',
      `/sandbox/conversations/${encodeURIComponent(conversationId)}/messages`,
    );
  }

  it('gives conversations ids containing a "+"', async () => {
    const { conversationId } = await userWrites(sandbox, mia, shop.open_id, 'Hi!');
    expect(conversationId).toMatch(/^conv_.*\+/);
  });

  it('keeps one conversation per business and person', async () => {
    const first = await userWrites(sandbox, mia, shop.open_id, 'Hi!');
    const second = await userWrites(sandbox, mia, shop.open_id, 'Anyone there?');
    expect(second.conversationId).toBe(first.conversationId);
    expect(second.messageId).not.toBe(first.messageId);
  });

  it('sends a text to a conversation id containing "+" and adds it to the conversation', async () => {
    const { conversationId } = await userWrites(
      sandbox,
      mia,
      shop.open_id,
      'Is the blue one in stock?',
    );
    const sent = await sendText(sandbox, shop, conversationId, 'Yes, size M and L.');
    expect(sent.code).toBe(0);
    expect(sent.data.message.message_id).toMatch(/^msg_/);

    const { status, body } = await conversationView(conversationId);
    expect(status).toBe(200);
    expect(body.map(({ from, text }) => ({ from, text }))).toEqual([
      { from: 'user', text: 'Is the blue one in stock?' },
      { from: 'business', text: 'Yes, size M and L.' },
    ]);
    expect(body[1].messageId).toBe(sent.data.message.message_id);
  });

  it("refuses the person's user id as recipient with 40002 naming the parameter", async () => {
    await userWrites(sandbox, mia, shop.open_id, 'Hello');
    const sent = await sendText(sandbox, shop, mia, 'Hello back');
    expect(sent.code).toBe(40002);
    expect(sent.message).toContain('recipient');
  });

  it('refuses a conversation of another business', async () => {
    const other = await connectAccount(sandbox, 'othershop');
    const { conversationId } = await userWrites(sandbox, mia, other.open_id, 'Hello other');
    expect((await sendText(sandbox, shop, conversationId, 'Not mine')).code).toBe(40002);
  });

  it('refuses empty texts and texts over 6000 characters, counting an emoji as one', async () => {
    const { conversationId } = await userWrites(sandbox, mia, shop.open_id, 'Hello');
    expect((await sendText(sandbox, shop, conversationId, '')).code).toBe(40002);
    expect((await sendText(sandbox, shop, conversationId, 'x'.repeat(6001))).code).toBe(40002);
    expect((await sendText(sandbox, shop, conversationId, 'x'.repeat(6000))).code).toBe(0);
    expect((await sendText(sandbox, shop, conversationId, '😀'.repeat(6000))).code).toBe(0);
  });

  it('refuses message types the sandbox does not support yet with 40002', async () => {
    const { conversationId } = await userWrites(sandbox, mia, shop.open_id, 'Hello');
    const { envelope } = await api(sandbox, 'POST', 'business/message/send/', {
      token: shop.access_token,
      body: {
        business_id: shop.open_id,
        recipient_type: 'CONVERSATION',
        recipient: conversationId,
        message_type: 'TEMPLATE',
        template: { type: 'QA_BUTTON_CARD', title: 'Pick one', buttons: [] },
      },
    });
    expect(envelope.code).toBe(40002);
    expect(envelope.message).toContain('message_type');
  });

  it('allows 3 more messages once the 48-hour window lapsed, then refuses with 40064 until the person writes', async () => {
    const { conversationId } = await userWrites(
      sandbox,
      mia,
      shop.open_id,
      'Old question',
      Date.now() - 49 * HOUR,
    );
    for (const text of ['Sorry for the delay', 'We checked', 'It is in stock']) {
      expect((await sendText(sandbox, shop, conversationId, text)).code).toBe(0);
    }
    const late = await sendText(sandbox, shop, conversationId, 'Anything else?');
    expect(late.code).toBe(40064);
    expect(late.message).toContain('48 hours');

    await userWrites(sandbox, mia, shop.open_id, 'Still there?');
    expect((await sendText(sandbox, shop, conversationId, 'Yes!')).code).toBe(0);
  });

  it('still allows a reply 47 hours after the person wrote', async () => {
    const { conversationId } = await userWrites(
      sandbox,
      mia,
      shop.open_id,
      'Q',
      Date.now() - 47 * HOUR,
    );
    expect((await sendText(sandbox, shop, conversationId, 'A')).code).toBe(0);
  });

  it('refuses sending from a personal account with 40001', async () => {
    const personal = await connectAccount(sandbox, 'justme', { accountType: 'personal' });
    const { conversationId } = await userWrites(sandbox, mia, shop.open_id, 'Hello');
    expect((await sendText(sandbox, personal, conversationId, 'Hi')).code).toBe(40001);
  });

  it('lists a conversation as STRANGER until the business replies, then as SINGLE', async () => {
    const { conversationId } = await userWrites(sandbox, mia, shop.open_id, 'Hello');
    const list = (type: string) =>
      api<{ conversations: { conversation_id: string }[]; has_more: boolean }>(
        sandbox,
        'GET',
        'business/message/conversation/list/',
        { token: shop.access_token, query: { business_id: shop.open_id, conversation_type: type } },
      );
    expect(
      (await list('STRANGER')).envelope.data.conversations.map((c) => c.conversation_id),
    ).toEqual([conversationId]);
    await sendText(sandbox, shop, conversationId, 'Hi Mia');
    expect((await list('STRANGER')).envelope.data.conversations).toEqual([]);
    expect((await list('SINGLE')).envelope.data.conversations).toHaveLength(1);
  });

  it('finds the conversation history only when the "+" of its id is encoded in the query', async () => {
    const { conversationId } = await userWrites(sandbox, mia, shop.open_id, 'Hello');
    const encoded = await api<{ messages: { text: { body: string } }[] }>(
      sandbox,
      'GET',
      'business/message/content/list/',
      {
        token: shop.access_token,
        query: { business_id: shop.open_id, conversation_id: conversationId },
      },
    );
    expect(encoded.envelope.code).toBe(0);
    expect(encoded.envelope.data.messages[0].text.body).toBe('Hello');

    const raw = await fetch(
      `${sandbox.apiBaseUrl}business/message/content/list/?business_id=${shop.open_id}&conversation_id=${conversationId}`,
      { headers: { 'Access-Token': shop.access_token } },
    );
    const unencoded = (await raw.json()) as { code: number; message: string };
    expect(unencoded.code).toBe(40002);
    expect(unencoded.message).toContain('%2B');
  });

  it('counts successful sends in the stats', async () => {
    const { conversationId } = await userWrites(sandbox, mia, shop.open_id, 'Hello');
    await sendText(sandbox, shop, conversationId, 'One');
    await sendText(sandbox, shop, mia, 'Refused');
    const { body } = await control<{ sends: number }>(sandbox, 'GET', '/sandbox/stats');
    expect(body.sends).toBe(1);
  });
});
