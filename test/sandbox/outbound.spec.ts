import { RunningSandbox } from 'tiktok-sandbox';
import {
  Envelope,
  MESSAGING_SCOPES,
  TokenData,
  api,
  connectAccount,
  control,
  createUser,
  sendText,
  startTestSandbox,
  userWrites,
} from './sandbox-kit';

// A 1×1 PNG and the start of a JPEG, as TikTok would sniff them; a WebP it refuses.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]);

describe('TikTok sandbox outbound messaging', () => {
  let sandbox: RunningSandbox;
  let shop: TokenData;
  let mia: string;
  let conversationId: string;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });
  afterAll(() => sandbox.close());
  beforeEach(async () => {
    await control(sandbox, 'POST', '/sandbox/reset');
    shop = await connectAccount(sandbox, 'shopdemo', { scope: `${MESSAGING_SCOPES},video.list` });
    mia = await createUser(sandbox, 'mia.k');
    ({ conversationId } = await userWrites(sandbox, mia, shop.open_id, 'Show me'));
  });

  async function upload(
    file: Buffer,
    options: { mediaType?: string; contentType?: string; token?: string } = {},
  ): Promise<Envelope<{ media_id: string }>> {
    const form = new FormData();
    form.append('business_id', shop.open_id);
    form.append('media_type', options.mediaType ?? 'IMAGE');
    form.append('file', new Blob([file], { type: options.contentType ?? 'image/png' }), 'f.png');
    const response = await fetch(`${sandbox.apiBaseUrl}business/message/media/upload/`, {
      method: 'POST',
      headers: { 'Access-Token': options.token ?? shop.access_token },
      body: form,
    });
    return (await response.json()) as Envelope<{ media_id: string }>;
  }

  function send(body: Record<string, unknown>) {
    return api<{ message: { message_id: string } }>(sandbox, 'POST', 'business/message/send/', {
      token: shop.access_token,
      body: {
        business_id: shop.open_id,
        recipient_type: 'CONVERSATION',
        recipient: conversationId,
        ...body,
      },
    });
  }

  function view() {
    return control<
      Array<{
        messageId: string;
        from: string;
        type: string;
        text: string;
        mediaId?: string;
        itemId?: string;
        referencedMessageId?: string;
      }>
    >(sandbox, 'GET', `/sandbox/conversations/${encodeURIComponent(conversationId)}/messages`);
  }

  it('uploads a PNG as multipart and sends it as IMAGE; the person sees an image whose bytes the media route returns', async () => {
    const uploaded = await upload(PNG);
    expect(uploaded.code).toBe(0);

    const sent = await send({ message_type: 'IMAGE', image: { media_id: uploaded.data.media_id } });

    expect(sent.envelope.code).toBe(0);
    const { body } = await view();
    expect(body[1]).toMatchObject({
      messageId: sent.envelope.data.message.message_id,
      from: 'business',
      type: 'image',
      text: '',
      mediaId: uploaded.data.media_id,
    });
    const media = await fetch(`${sandbox.url}/sandbox/media/${uploaded.data.media_id}`);
    expect(media.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await media.arrayBuffer())).toEqual(PNG);
  });

  it('refuses an upload that is not JPG or PNG with 40908, whatever its declared type', async () => {
    expect((await upload(WEBP, { contentType: 'image/png' })).code).toBe(40908);
  });

  it('refuses an upload over 3 MB with 40907', async () => {
    const big = Buffer.concat([PNG, Buffer.alloc(3 * 1024 * 1024)]);
    expect((await upload(big)).code).toBe(40907);
  });

  it('refuses to upload a video: TikTok takes no video files', async () => {
    const refused = await upload(PNG, { mediaType: 'VIDEO' });
    expect(refused.code).toBe(40002);
    expect(refused.message).toContain('media_type');
  });

  it('refuses an upload sent as JSON', async () => {
    const { envelope } = await api(sandbox, 'POST', 'business/message/media/upload/', {
      token: shop.access_token,
      body: { business_id: shop.open_id, media_type: 'IMAGE' },
    });
    expect(envelope.code).toBe(40002);
    expect(envelope.message).toContain('multipart/form-data');
  });

  it('refuses IMAGE with media another business uploaded', async () => {
    const other = await connectAccount(sandbox, 'othershop');
    const form = new FormData();
    form.append('business_id', other.open_id);
    form.append('media_type', 'IMAGE');
    form.append('file', new Blob([PNG], { type: 'image/png' }), 'x.png');
    const theirs = (await (
      await fetch(`${sandbox.apiBaseUrl}business/message/media/upload/`, {
        method: 'POST',
        headers: { 'Access-Token': other.access_token },
        body: form,
      })
    ).json()) as Envelope<{ media_id: string }>;

    const sent = await send({ message_type: 'IMAGE', image: { media_id: theirs.data.media_id } });

    expect(sent.envelope.code).toBe(40002);
  });

  it('answers capabilities/get per person, as the control route sets it, and refuses IMAGE where it is off', async () => {
    const ask = () =>
      api<{ capability_infos: Array<{ capability_type: string; capability_result: boolean }> }>(
        sandbox,
        'GET',
        'business/message/capabilities/get/',
        {
          token: shop.access_token,
          query: {
            business_id: shop.open_id,
            capability_types: '["IMAGE_SEND"]',
            conversation_id: conversationId,
            conversation_type: 'STRANGER',
          },
        },
      );
    expect((await ask()).envelope.data.capability_infos).toEqual([
      { capability_type: 'IMAGE_SEND', capability_result: true },
    ]);

    await control(sandbox, 'POST', `/sandbox/users/${mia}/capabilities`, { imageSend: false });

    expect((await ask()).envelope.data.capability_infos[0].capability_result).toBe(false);
    const uploaded = await upload(PNG);
    const sent = await send({ message_type: 'IMAGE', image: { media_id: uploaded.data.media_id } });
    expect(sent.envelope.code).toBe(40002);
  });

  it("shares only the business's own posts, listed by video/list", async () => {
    const { body: post } = await control<{ itemId: string; shareUrl: string }>(
      sandbox,
      'POST',
      '/sandbox/videos',
      { businessId: shop.open_id },
    );
    expect(post.shareUrl).toBe(`https://www.tiktok.com/@shopdemo/video/${post.itemId}`);
    const listed = await api<{ videos: Array<{ item_id: string }> }>(
      sandbox,
      'GET',
      'business/video/list/',
      { token: shop.access_token, query: { business_id: shop.open_id } },
    );
    expect(listed.envelope.data.videos.map((video) => video.item_id)).toEqual([post.itemId]);

    const shared = await send({ message_type: 'SHARE_POST', share_post: { item_id: post.itemId } });
    const foreign = await send({
      message_type: 'SHARE_POST',
      share_post: { item_id: '7000000000000000001' },
    });

    expect(shared.envelope.code).toBe(0);
    expect(foreign.envelope.code).toBe(40002);
    expect((await view()).body[1]).toMatchObject({ type: 'share_post', itemId: post.itemId });
  });

  it('records TYPING and MARK_READ without adding messages, answering no message id', async () => {
    const typing = await send({ message_type: 'SENDER_ACTION', sender_action: 'TYPING' });
    const read = await send({ message_type: 'SENDER_ACTION', sender_action: 'MARK_READ' });

    expect(typing.envelope).toMatchObject({ code: 0, data: { message: { message_id: '' } } });
    expect(read.envelope.code).toBe(0);
    const { body: actions } = await control<Array<{ action: string }>>(
      sandbox,
      'GET',
      `/sandbox/conversations/${encodeURIComponent(conversationId)}/sender-actions`,
    );
    expect(actions.map((action) => action.action)).toEqual(['TYPING', 'MARK_READ']);
    expect((await view()).body).toHaveLength(1);
  });

  it('takes a quote reply to a message of the conversation, and only in TEXT', async () => {
    const { body: before } = await view();
    const quoted = before[0].messageId;

    const reply = await send({
      message_type: 'TEXT',
      text: { body: 'About that:' },
      referenced_message_info: { referenced_message_id: quoted },
    });
    const unknown = await send({
      message_type: 'TEXT',
      text: { body: 'About what?' },
      referenced_message_info: { referenced_message_id: 'msg_nope' },
    });

    expect(reply.envelope.code).toBe(0);
    expect(unknown.envelope.code).toBe(40002);
    expect((await view()).body[1]).toMatchObject({
      text: 'About that:',
      referencedMessageId: quoted,
    });
  });

  it('lists items in content/list with their uppercase types and blocks', async () => {
    const uploaded = await upload(PNG);
    await send({ message_type: 'IMAGE', image: { media_id: uploaded.data.media_id } });

    const { envelope } = await api<{ messages: Array<Record<string, unknown>> }>(
      sandbox,
      'GET',
      'business/message/content/list/',
      {
        token: shop.access_token,
        query: { business_id: shop.open_id, conversation_id: conversationId },
      },
    );

    expect(envelope.data.messages[0]).toMatchObject({
      type: 'IMAGE',
      image: { media_id: uploaded.data.media_id },
    });
    expect(envelope.data.messages[1]).toMatchObject({ type: 'TEXT', text: { body: 'Show me' } });
  });

  it('answers 40100 once a business goes past 10 requests in a second, and counts it', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 12; i++)
      codes.push((await sendText(sandbox, shop, conversationId, 'x')).code);

    expect(codes.filter((code) => code === 40100).length).toBeGreaterThan(0);
    const { body } = await control<{ rateLimited: number }>(sandbox, 'GET', '/sandbox/stats');
    expect(body.rateLimited).toBe(codes.filter((code) => code === 40100).length);
  });

  it('throttles each business on its own', async () => {
    const other = await connectAccount(sandbox, 'othershop');
    const theirs = await userWrites(sandbox, mia, other.open_id, 'Hi');
    // One request a second: the shop's first spends its budget.
    await control(sandbox, 'POST', '/sandbox/rate-limit', { perSecond: 1 });
    expect((await sendText(sandbox, shop, conversationId, 'first')).code).toBe(0);
    expect((await sendText(sandbox, shop, conversationId, 'second')).code).toBe(40100);

    expect((await sendText(sandbox, other, theirs.conversationId, 'still fine')).code).toBe(0);
  });

  it('refuses a message after 10 since the person last wrote with 40064', async () => {
    await control(sandbox, 'POST', '/sandbox/rate-limit', { perSecond: 0 });
    for (let i = 0; i < 10; i++) {
      expect((await sendText(sandbox, shop, conversationId, `fact ${i}`)).code).toBe(0);
    }
    const capped = await sendText(sandbox, shop, conversationId, 'one more');
    expect(capped.code).toBe(40064);
    expect(capped.message).toContain('10 messages');

    await userWrites(sandbox, mia, shop.open_id, 'Go on');
    expect((await sendText(sandbox, shop, conversationId, 'gladly')).code).toBe(0);
  });

  it.each(['reset', 'timeout'] as const)(
    'carries a send out and loses its answer (afterAccept %s): the client gets no envelope, the person gets the message',
    async (afterAccept) => {
      await control(sandbox, 'POST', '/sandbox/faults', {
        path: '/business/message/send/',
        afterAccept,
      });

      const outcome = await fetch(`${sandbox.apiBaseUrl}business/message/send/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'access-token': shop.access_token },
        body: JSON.stringify({
          business_id: shop.open_id,
          recipient_type: 'CONVERSATION',
          recipient: conversationId,
          message_type: 'TEXT',
          text: { body: 'did it arrive?' },
        }),
        signal: AbortSignal.timeout(500),
      }).then(
        () => 'answered',
        () => 'no answer',
      );

      expect(outcome).toBe('no answer');
      expect((await view()).body.map((item) => item.text)).toEqual(['Show me', 'did it arrive?']);
      const { body } = await control<Record<string, number>>(
        sandbox,
        'GET',
        '/sandbox/faults/injected',
      );
      expect(body).toEqual({ [`${afterAccept}AfterAccept`]: 1 });
    },
  );

  it('fails calls at the rates set, with bare 5xx before doing anything', async () => {
    await control(sandbox, 'POST', '/sandbox/fault-rates', {
      path: '/business/message/send/',
      http5xx: 1,
    });
    await control(sandbox, 'POST', '/sandbox/rate-limit', { perSecond: 0 });

    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${sandbox.apiBaseUrl}business/message/send/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'access-token': shop.access_token },
        body: '{}',
      });
      await response.arrayBuffer();
      statuses.push(response.status);
    }

    expect(statuses.every((status) => [500, 502, 503, 504].includes(status))).toBe(true);
    expect((await view()).body).toHaveLength(1);
    const { status } = await control(sandbox, 'POST', '/sandbox/fault-rates', {
      path: '/business/message/send/',
      http5xx: 0.8,
      timeoutAfterAccept: 0.5,
    });
    expect(status).toBe(400);
  });
});
