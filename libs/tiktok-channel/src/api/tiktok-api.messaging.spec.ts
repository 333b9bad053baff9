import { inspect } from 'node:util';
import { TiktokApiClient } from './tiktok-api.client';
import {
  ACCESS_TOKEN,
  APP_ID,
  APP_SECRET,
  BASE_PATH,
  failureOf,
  ok,
  refused,
  startFakeTiktok,
  type CapturedRequest,
  type FakeTiktok,
} from './testing/fake-tiktok';

/** Conversation ids are base64-like: `+` unencoded in a query would arrive as a space. */
const CONVERSATION = 'conv+42/x==';
const CONVERSATION_IN_QUERY = 'conv%2B42%2Fx%3D%3D';
const TO = { businessId: 'biz_0001', conversationId: CONVERSATION };

let tiktok: FakeTiktok;
let client: TiktokApiClient;

beforeEach(async () => {
  tiktok = await startFakeTiktok();
  client = new TiktokApiClient({
    apiBaseUrl: tiktok.baseUrl,
    appId: APP_ID,
    appSecret: APP_SECRET,
  });
});

afterEach(async () => {
  await tiktok.close();
});

function onlyRequest(): CapturedRequest {
  expect(tiktok.requests).toHaveLength(1);
  return tiktok.requests[0];
}

function expectJsonPost(request: CapturedRequest, path: string, token: string | undefined): void {
  expect(request.method).toBe('POST');
  expect(request.pathname).toBe(`${BASE_PATH}${path}`);
  expect(request.rawQuery).toBe('');
  expect(request.headers['content-type']).toBe('application/json');
  expect(request.headers['access-token']).toBe(token);
  expect(request.headers['authorization']).toBeUndefined();
}

function expectGet(request: CapturedRequest, path: string): void {
  expect(request.method).toBe('GET');
  expect(request.pathname).toBe(`${BASE_PATH}${path}`);
  expect(request.headers['access-token']).toBe(ACCESS_TOKEN);
  expect(request.headers['authorization']).toBeUndefined();
  expect(request.headers['content-type']).toBeUndefined();
  expect(request.rawBody).toHaveLength(0);
}

describe('TiktokApiClient sends', () => {
  const envelopeOf = (content: object): object => ({
    business_id: 'biz_0001',
    recipient_type: 'CONVERSATION',
    recipient: CONVERSATION,
    ...content,
  });

  it('sends an uploaded image by media id to the conversation', async () => {
    tiktok.reply(ok({ message: { message_id: 'msg_img' } }));

    const sent = await client.sendImage(ACCESS_TOKEN, { ...TO, mediaId: 'media_7' });

    const request = onlyRequest();
    expectJsonPost(request, 'business/message/send/', ACCESS_TOKEN);
    expect(request.body).toEqual(
      envelopeOf({ message_type: 'IMAGE', image: { media_id: 'media_7' } }),
    );
    expect(sent).toEqual({ messageId: 'msg_img' });
  });

  it('shares one of the business posts by item id', async () => {
    tiktok.reply(ok({ message: { message_id: 'msg_post' } }));

    const sent = await client.sendSharePost(ACCESS_TOKEN, { ...TO, itemId: '7300000000000000001' });

    const request = onlyRequest();
    expectJsonPost(request, 'business/message/send/', ACCESS_TOKEN);
    expect(request.body).toEqual(
      envelopeOf({ message_type: 'SHARE_POST', share_post: { item_id: '7300000000000000001' } }),
    );
    expect(sent).toEqual({ messageId: 'msg_post' });
  });

  it.each(['TYPING', 'MARK_READ'] as const)(
    'sends the sender action %s and resolves without a message id',
    async (action) => {
      tiktok.reply(ok({ message: { message_id: '' } }));

      await expect(client.sendSenderAction(ACCESS_TOKEN, { ...TO, action })).resolves.toBe(
        undefined,
      );

      const request = onlyRequest();
      expectJsonPost(request, 'business/message/send/', ACCESS_TOKEN);
      expect(request.body).toEqual(
        envelopeOf({ message_type: 'SENDER_ACTION', sender_action: action }),
      );
    },
  );

  it('resolves a sender action whose answer has no data at all', async () => {
    tiktok.reply({ json: { code: 0, message: 'OK' } });

    await expect(
      client.sendSenderAction(ACCESS_TOKEN, { ...TO, action: 'TYPING' }),
    ).resolves.toBeUndefined();
  });

  it.each([
    ['an image', (c: TiktokApiClient) => c.sendImage(ACCESS_TOKEN, { ...TO, mediaId: 'm' })],
    [
      'a shared post',
      (c: TiktokApiClient) => c.sendSharePost(ACCESS_TOKEN, { ...TO, itemId: 'i' }),
    ],
  ])('refuses to retry %s that TikTok accepted without a message id', async (_what, send) => {
    tiktok.reply(ok({ message: {} }));

    const error = await failureOf(send(client));

    expect(error.errorClass).toBe('invalid_request');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('not retrying');
  });

  it('classifies a refused image like any other send', async () => {
    tiktok.reply(refused(40064, 'outside the 48h window'));

    const error = await failureOf(client.sendImage(ACCESS_TOKEN, { ...TO, mediaId: 'm' }));

    expect(error.errorClass).toBe('messaging_limit');
    expect(error.endpoint).toBe('business/message/send/');
  });

  it('refuses a sender action with an empty token without calling TikTok', async () => {
    const error = await failureOf(client.sendSenderAction('', { ...TO, action: 'TYPING' }));

    expect(error.errorClass).toBe('bug');
    expect(tiktok.requests).toHaveLength(0);
  });
});

describe('TiktokApiClient conversations', () => {
  it('asks for the IMAGE_SEND capability with the types as JSON text and an encoded conversation id', async () => {
    tiktok.reply(
      ok({ capability_infos: [{ capability_type: 'IMAGE_SEND', capability_result: true }] }),
    );

    const capabilities = await client.getCapabilities(ACCESS_TOKEN, {
      ...TO,
      conversationType: 'SINGLE',
    });

    const request = onlyRequest();
    expectGet(request, 'business/message/capabilities/get/');
    expect(Object.fromEntries(request.query)).toEqual({
      business_id: 'biz_0001',
      capability_types: '["IMAGE_SEND"]',
      conversation_id: CONVERSATION,
      conversation_type: 'SINGLE',
    });
    expect(request.rawQuery).toContain(`conversation_id=${CONVERSATION_IN_QUERY}`);
    expect(request.rawQuery).toContain(`capability_types=${encodeURIComponent('["IMAGE_SEND"]')}`);
    expect(capabilities).toEqual({ imageSend: true });
  });

  it('leaves conversation_type out when not given', async () => {
    await client.getCapabilities(ACCESS_TOKEN, TO);

    expect(onlyRequest().query.has('conversation_type')).toBe(false);
  });

  it.each([
    ['false', [{ capability_type: 'IMAGE_SEND', capability_result: false }], false],
    ['a "true" string', [{ capability_type: 'image_send', capability_result: 'true' }], true],
    [
      'another capability only',
      [{ capability_type: 'TEXT_SEND', capability_result: true }],
      'unknown',
    ],
    ['no yes/no', [{ capability_type: 'IMAGE_SEND', capability_result: 'MAYBE' }], 'unknown'],
    ['no list', undefined, 'unknown'],
  ])('reads IMAGE_SEND from %s', async (_shape, infos, imageSend) => {
    tiktok.reply(ok(infos === undefined ? {} : { capability_infos: infos }));

    await expect(client.getCapabilities(ACCESS_TOKEN, TO)).resolves.toEqual({ imageSend });
  });

  it('lists conversations of one type, reading update_time and up_time as milliseconds', async () => {
    tiktok.reply(
      ok({
        conversations: [
          { conversation_id: 'conv+1', update_time: 1764000000123 },
          { conversation_id: 'conv+2', up_time: 1764000000456 },
          { conversation_id: 'conv+3' },
          { update_time: 1 },
          'garbage',
        ],
        has_more: true,
        cursor: 20,
      }),
    );

    const page = await client.listConversations(ACCESS_TOKEN, {
      businessId: 'biz+0001',
      conversationType: 'STRANGER',
      limit: 20,
      cursor: '0',
    });

    const request = onlyRequest();
    expectGet(request, 'business/message/conversation/list/');
    expect(Object.fromEntries(request.query)).toEqual({
      business_id: 'biz+0001',
      conversation_type: 'STRANGER',
      limit: '20',
      cursor: '0',
    });
    expect(request.rawQuery).toContain('business_id=biz%2B0001');
    expect(page).toEqual({
      conversations: [
        { conversationId: 'conv+1', updatedAt: 1764000000123 },
        { conversationId: 'conv+2', updatedAt: 1764000000456 },
        { conversationId: 'conv+3', updatedAt: 0 },
      ],
      hasMore: true,
      cursor: '20',
    });
  });

  it('leaves limit and cursor out of the first page request and reports the end', async () => {
    tiktok.reply(ok({ conversations: [], has_more: false }));

    const page = await client.listConversations(ACCESS_TOKEN, {
      businessId: 'biz_0001',
      conversationType: 'SINGLE',
    });

    expect(Object.fromEntries(onlyRequest().query)).toEqual({
      business_id: 'biz_0001',
      conversation_type: 'SINGLE',
    });
    expect(page).toEqual({ conversations: [], hasMore: false });
  });

  it('returns the latest messages and participants raw, for the inbound code to normalise', async () => {
    const message = {
      message_id: 'msg_1',
      conversation_id: CONVERSATION,
      timestamp: 1764000000123,
      type: 'TEXT',
      text: { body: 'hi' },
      from_user: { id: 'user_77', role: 'PERSONAL_ACCOUNT' },
    };
    const participant = { id: 'user_77', role: 'PERSONAL_ACCOUNT', username: 'mia.k' };
    tiktok.reply(ok({ messages: [message, 42], participants: [participant] }));

    const history = await client.listMessages(ACCESS_TOKEN, TO);

    const request = onlyRequest();
    expectGet(request, 'business/message/content/list/');
    expect(Object.fromEntries(request.query)).toEqual({
      business_id: 'biz_0001',
      conversation_id: CONVERSATION,
    });
    expect(request.rawQuery).toContain(`conversation_id=${CONVERSATION_IN_QUERY}`);
    expect(history).toEqual({ messages: [message], participants: [participant] });
  });

  it('returns empty lists when TikTok sends none', async () => {
    await expect(client.listMessages(ACCESS_TOKEN, TO)).resolves.toEqual({
      messages: [],
      participants: [],
    });
  });

  it('asks for a media download URL with a JSON POST naming the message and media', async () => {
    tiktok.reply(ok({ download_url: 'https://media.example/dl/abc?sig=1' }));

    const result = await client.getMediaDownloadUrl(ACCESS_TOKEN, {
      ...TO,
      messageId: 'msg_9001',
      mediaId: 'media_1',
      mediaType: 'VIDEO',
    });

    const request = onlyRequest();
    expectJsonPost(request, 'business/message/media/download/', ACCESS_TOKEN);
    expect(request.body).toEqual({
      business_id: 'biz_0001',
      conversation_id: CONVERSATION,
      message_id: 'msg_9001',
      media_id: 'media_1',
      media_type: 'VIDEO',
    });
    expect(result).toEqual({ downloadUrl: 'https://media.example/dl/abc?sig=1' });
  });

  it('fails a download URL answer that has no download_url, naming the field', async () => {
    tiktok.reply(ok({}));

    const error = await failureOf(
      client.getMediaDownloadUrl(ACCESS_TOKEN, {
        ...TO,
        messageId: 'm',
        mediaId: 'x',
        mediaType: 'IMAGE',
      }),
    );

    expect(error.errorClass).toBe('invalid_request');
    expect(error.message).toContain('download_url');
  });
});

describe('TiktokApiClient business posts', () => {
  it('lists the business videos with the fields as a JSON array and optional paging', async () => {
    tiktok.reply(
      ok({
        videos: [
          {
            item_id: '7300000000000000001',
            share_url: 'https://www.tiktok.com/@shopdemo/video/7300000000000000001',
            embed_url: 'https://www.tiktok.com/embed/7300000000000000001',
          },
          { item_id: '7300000000000000002' },
          { share_url: 'https://no.id/' },
        ],
        has_more: true,
        cursor: 1764000000000,
      }),
    );

    const page = await client.listBusinessVideos(ACCESS_TOKEN, {
      businessId: 'biz_0001',
      cursor: '1763000000000',
      maxCount: 20,
    });

    const request = onlyRequest();
    expectGet(request, 'business/video/list/');
    expect(Object.fromEntries(request.query)).toEqual({
      business_id: 'biz_0001',
      fields: '["item_id","share_url","embed_url"]',
      cursor: '1763000000000',
      max_count: '20',
    });
    expect(page).toEqual({
      videos: [
        {
          itemId: '7300000000000000001',
          shareUrl: 'https://www.tiktok.com/@shopdemo/video/7300000000000000001',
          embedUrl: 'https://www.tiktok.com/embed/7300000000000000001',
        },
        { itemId: '7300000000000000002' },
      ],
      hasMore: true,
      cursor: '1764000000000',
    });
  });

  it('asks for the first page without cursor or max_count', async () => {
    tiktok.reply(ok({ videos: [], has_more: false }));

    await client.listBusinessVideos(ACCESS_TOKEN, { businessId: 'biz_0001' });

    expect([...onlyRequest().query.keys()]).toEqual(['business_id', 'fields']);
  });
});

describe('TiktokApiClient app-level calls', () => {
  it('introspects a token with app_id and the token in the body, without an Access-Token header', async () => {
    tiktok.reply(
      ok({ app_id: APP_ID, scope: 'user.info.basic,message.list.send', creator_id: 'biz_0001' }),
    );

    const info = await client.getTokenInfo(ACCESS_TOKEN);

    const request = onlyRequest();
    expectJsonPost(request, 'tt_user/token_info/get/', undefined);
    expect(request.body).toEqual({ app_id: APP_ID, access_token: ACCESS_TOKEN });
    expect(info).toEqual({
      appId: APP_ID,
      scopes: ['user.info.basic', 'message.list.send'],
      creatorId: 'biz_0001',
    });
  });

  it('omits creatorId when TikTok does not name one', async () => {
    tiktok.reply(ok({ app_id: APP_ID, scope: '' }));

    await expect(client.getTokenInfo(ACCESS_TOKEN)).resolves.toEqual({ appId: APP_ID, scopes: [] });
  });

  it('fails token info without app_id, since it cannot show whose token it is', async () => {
    tiktok.reply(ok({ scope: 'user.info.basic' }));

    const error = await failureOf(client.getTokenInfo(ACCESS_TOKEN));

    expect(error.errorClass).toBe('invalid_request');
    expect(error.message).toContain('app_id');
  });

  it('masks the introspected token when TikTok quotes it back', async () => {
    tiktok.reply(refused(40105, `access_token ${ACCESS_TOKEN} is invalid`));

    const error = await failureOf(client.getTokenInfo(ACCESS_TOKEN));

    expect(error.errorClass).toBe('auth_expired');
    expect(inspect(error)).not.toContain(ACCESS_TOKEN);
  });

  it('refuses to introspect an empty token without calling TikTok', async () => {
    const error = await failureOf(client.getTokenInfo(''));

    expect(error.errorClass).toBe('bug');
    expect(tiktok.requests).toHaveLength(0);
  });

  it('deletes the webhook with app id, secret and event type in the body and no Access-Token', async () => {
    await client.deleteWebhook();

    const request = onlyRequest();
    expectJsonPost(request, 'business/webhook/delete/', undefined);
    expect(request.body).toEqual({
      app_id: APP_ID,
      secret: APP_SECRET,
      event_type: 'DIRECT_MESSAGE',
    });
  });

  it('keeps the secret out of a refused webhook deletion that quotes it', async () => {
    tiktok.reply(refused(40001, `secret ${APP_SECRET} is invalid`));

    const error = await failureOf(client.deleteWebhook());

    expect(error.errorClass).toBe('auth_revoked');
    expect(inspect(error)).not.toContain(APP_SECRET);
  });
});
