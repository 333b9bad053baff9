import { inspect } from 'node:util';
import { TiktokApiClient } from './tiktok-api.client';
import { TiktokApiError } from './tiktok-api.error';
import type { TiktokErrorClass } from './tiktok-api.types';
import {
  ACCESS_TOKEN,
  APP_ID,
  APP_SECRET,
  BASE_PATH,
  failureOf,
  ok,
  REFRESH_TOKEN,
  refused,
  startFakeTiktok,
  type CapturedRequest,
  type FakeTiktok,
} from './testing/fake-tiktok';

const PROFILE_FIELDS = '["username","display_name","profile_image","is_business_account"]';

const GRANT_DATA = {
  access_token: ACCESS_TOKEN,
  token_type: 'Bearer',
  scope: 'user.info.basic, message.list.send ,message.list.read,',
  expires_in: 86400,
  refresh_token: REFRESH_TOKEN,
  refresh_token_expires_in: 31536000,
  open_id: 'biz_0001',
};

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

function expectNoAuthHeaders(request: CapturedRequest): void {
  expect(request.headers['access-token']).toBeUndefined();
  expect(request.headers['authorization']).toBeUndefined();
}

describe('TiktokApiClient requests', () => {
  it('exchanges an authorization code with a JSON POST to tt_user/oauth2/token/ and no token header', async () => {
    tiktok.reply(ok(GRANT_DATA));

    const grant = await client.exchangeAuthCode({
      authCode: 'code-abc',
      redirectUri: 'https://helpdesk.example.com/tiktok/oauth/callback/',
    });

    const request = onlyRequest();
    expect(request.method).toBe('POST');
    expect(request.pathname).toBe(`${BASE_PATH}tt_user/oauth2/token/`);
    expect(request.rawQuery).toBe('');
    expect(request.headers['content-type']).toBe('application/json');
    expectNoAuthHeaders(request);
    expect(request.body).toEqual({
      client_id: APP_ID,
      client_secret: APP_SECRET,
      grant_type: 'authorization_code',
      auth_code: 'code-abc',
      redirect_uri: 'https://helpdesk.example.com/tiktok/oauth/callback/',
    });
    expect(grant).toEqual({
      accessToken: ACCESS_TOKEN,
      refreshToken: REFRESH_TOKEN,
      expiresIn: 86400,
      refreshTokenExpiresIn: 31536000,
      openId: 'biz_0001',
      scopes: ['user.info.basic', 'message.list.send', 'message.list.read'],
    });
  });

  it('refreshes a token with grant_type refresh_token and returns the rotated pair', async () => {
    tiktok.reply(ok({ ...GRANT_DATA, access_token: 'act.new', refresh_token: 'rft.new' }));

    const grant = await client.refreshAccessToken(REFRESH_TOKEN);

    const request = onlyRequest();
    expect(request.method).toBe('POST');
    expect(request.pathname).toBe(`${BASE_PATH}tt_user/oauth2/refresh_token/`);
    expectNoAuthHeaders(request);
    expect(request.body).toEqual({
      client_id: APP_ID,
      client_secret: APP_SECRET,
      grant_type: 'refresh_token',
      refresh_token: REFRESH_TOKEN,
    });
    expect(grant.accessToken).toBe('act.new');
    expect(grant.refreshToken).toBe('rft.new');
  });

  it('revokes an access token by sending it in the body rather than in a header', async () => {
    await client.revokeAccessToken(ACCESS_TOKEN);

    const request = onlyRequest();
    expect(request.method).toBe('POST');
    expect(request.pathname).toBe(`${BASE_PATH}tt_user/oauth2/revoke/`);
    expectNoAuthHeaders(request);
    expect(request.body).toEqual({
      client_id: APP_ID,
      client_secret: APP_SECRET,
      access_token: ACCESS_TOKEN,
    });
  });

  it('reads the business profile with a GET carrying Access-Token and the fields as a JSON array', async () => {
    tiktok.reply(
      ok({
        username: 'shopdemo',
        display_name: 'Shop Demo',
        profile_image: 'https://cdn.example.com/p.png',
        is_business_account: true,
      }),
    );

    const profile = await client.getBusinessProfile(ACCESS_TOKEN, 'biz_0001');

    const request = onlyRequest();
    expect(request.method).toBe('GET');
    expect(request.pathname).toBe(`${BASE_PATH}business/get/`);
    expect(request.headers['access-token']).toBe(ACCESS_TOKEN);
    expect(request.headers['authorization']).toBeUndefined();
    expect(request.headers['content-type']).toBeUndefined();
    expect(request.body).toBeUndefined();
    expect(request.query.get('business_id')).toBe('biz_0001');
    expect(request.query.get('fields')).toBe(PROFILE_FIELDS);
    expect(request.rawQuery).toContain(`fields=${encodeURIComponent(PROFILE_FIELDS)}`);
    expect(profile).toEqual({
      username: 'shopdemo',
      displayName: 'Shop Demo',
      profileImageUrl: 'https://cdn.example.com/p.png',
      accountType: 'business',
    });
  });

  it.each([
    [true, 'business'],
    [false, 'personal'],
    [undefined, 'unknown'],
  ])(
    'maps is_business_account %p to the account type %p',
    async (flag: boolean | undefined, accountType: string) => {
      tiktok.reply(ok({ username: 'shopdemo', is_business_account: flag }));

      const profile = await client.getBusinessProfile(ACCESS_TOKEN, 'biz_0001');

      expect(profile.accountType).toBe(accountType);
      expect(profile.displayName).toBe('shopdemo');
      expect(profile.profileImageUrl).toBeUndefined();
    },
  );

  it('sends a text to the conversation id and returns TikTok message id', async () => {
    tiktok.reply(ok({ message: { message_id: 'msg_1' } }));

    const sent = await client.sendText(ACCESS_TOKEN, {
      businessId: 'biz_0001',
      conversationId: 'conv+42/x==',
      text: 'Yes, in stock.',
    });

    const request = onlyRequest();
    expect(request.method).toBe('POST');
    expect(request.pathname).toBe(`${BASE_PATH}business/message/send/`);
    expect(request.headers['access-token']).toBe(ACCESS_TOKEN);
    expect(request.headers['authorization']).toBeUndefined();
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toEqual({
      business_id: 'biz_0001',
      recipient_type: 'CONVERSATION',
      recipient: 'conv+42/x==',
      message_type: 'TEXT',
      text: { body: 'Yes, in stock.' },
    });
    expect(sent).toEqual({ messageId: 'msg_1' });
  });

  it('adds referenced_message_info when the text quotes a message', async () => {
    tiktok.reply(ok({ message: { message_id: 'msg_2' } }));

    await client.sendText(ACCESS_TOKEN, {
      businessId: 'biz_0001',
      conversationId: 'conv_42',
      text: 'About this one',
      referencedMessageId: 'msg_9001',
    });

    expect(onlyRequest().body).toEqual({
      business_id: 'biz_0001',
      recipient_type: 'CONVERSATION',
      recipient: 'conv_42',
      message_type: 'TEXT',
      text: { body: 'About this one' },
      referenced_message_info: { referenced_message_id: 'msg_9001' },
    });
  });

  it('refuses to retry a send that TikTok accepted without returning a message id', async () => {
    tiktok.reply(ok({ message: {} }));

    const error = await failureOf(
      client.sendText(ACCESS_TOKEN, { businessId: 'b', conversationId: 'c', text: 't' }),
    );

    expect(error.errorClass).toBe('invalid_request');
    expect(error.retryable).toBe(false);
  });

  it('registers the webhook with the app id and secret in the body and no Access-Token', async () => {
    await client.updateWebhook('https://helpdesk.example.com/tiktok/webhook');

    const request = onlyRequest();
    expect(request.method).toBe('POST');
    expect(request.pathname).toBe(`${BASE_PATH}business/webhook/update/`);
    expectNoAuthHeaders(request);
    expect(request.body).toEqual({
      app_id: APP_ID,
      secret: APP_SECRET,
      event_type: 'DIRECT_MESSAGE',
      callback_url: 'https://helpdesk.example.com/tiktok/webhook',
    });
  });

  it('reads the webhook registration with app id, secret and event type in the query', async () => {
    tiktok.reply(ok({ callback_url: 'https://helpdesk.example.com/tiktok/webhook' }));

    const registration = await client.getWebhook();

    const request = onlyRequest();
    expect(request.method).toBe('GET');
    expect(request.pathname).toBe(`${BASE_PATH}business/webhook/list/`);
    expectNoAuthHeaders(request);
    expect(Object.fromEntries(request.query)).toEqual({
      app_id: APP_ID,
      secret: APP_SECRET,
      event_type: 'DIRECT_MESSAGE',
    });
    expect(registration).toEqual({ callbackUrl: 'https://helpdesk.example.com/tiktok/webhook' });
  });

  it('reads TikTok’s clock from the Date header of the app check', async () => {
    const tiktokNow = 'Wed, 21 Oct 2026 07:28:00 GMT';
    tiktok.reply({ ...ok({ callback_url: '' }), headers: { date: tiktokNow } });

    const check = await client.checkApp();

    expect(check.serverTime?.toISOString()).toBe(new Date(tiktokNow).toISOString());
    expect(check.webhook).toEqual({ callbackUrl: null });
    expect(check.receivedAt.getTime()).toBeGreaterThanOrEqual(check.sentAt.getTime());
  });

  it('answers no clock when the Date header is not a date', async () => {
    tiktok.reply({ ...ok({}), headers: { date: 'soon' } });

    await expect(client.checkApp()).resolves.toMatchObject({ serverTime: null });
  });

  it.each([
    ['a list', { list: [{ event_type: 'DIRECT_MESSAGE', callback_url: 'https://a.example/' }] }],
    [
      'callbacks of several event types',
      {
        callbacks: [
          { event_type: 'OTHER', callback_url: 'https://other.example/' },
          { event_type: 'direct_message', callback_url: 'https://a.example/' },
        ],
      },
    ],
    ['a list entry without event type', { list: [{ callback_url: 'https://a.example/' }] }],
  ])('finds the webhook callback URL in %s', async (_shape: string, data: object) => {
    tiktok.reply(ok(data));

    await expect(client.getWebhook()).resolves.toEqual({ callbackUrl: 'https://a.example/' });
  });

  it.each([
    ['no data', undefined],
    ['an empty object', {}],
    ['an empty list', { list: [] }],
    ['an empty callback URL', { callback_url: '' }],
  ])('reports no webhook when TikTok answers %s', async (_shape: string, data: unknown) => {
    tiktok.reply(data === undefined ? { json: { code: 0, message: 'OK' } } : ok(data));

    await expect(client.getWebhook()).resolves.toEqual({ callbackUrl: null });
  });

  it('adds the trailing slash a base URL lacks so paths stay under /open_api/v1.3/', async () => {
    const noSlash = new TiktokApiClient({
      apiBaseUrl: tiktok.baseUrl.replace(/\/$/, ''),
      appId: APP_ID,
      appSecret: APP_SECRET,
    });

    await noSlash.revokeAccessToken(ACCESS_TOKEN);

    expect(onlyRequest().pathname).toBe(`${BASE_PATH}tt_user/oauth2/revoke/`);
  });

  it('round-trips an id containing + through a query string instead of turning it into a space', async () => {
    // Conversation ids and open ids are base64-like; `+` unencoded in a query means a space.
    const id = 'conv+4/2==';
    tiktok.reply(ok({ username: 'shopdemo' }));

    await client.getBusinessProfile(ACCESS_TOKEN, id);

    const request = onlyRequest();
    expect(request.rawQuery).toContain('business_id=conv%2B4%2F2%3D%3D');
    expect(request.query.get('business_id')).toBe(id);
  });
});

describe('TiktokApiClient failures', () => {
  it.each<[number, TiktokErrorClass, boolean]>([
    [40102, 'auth_expired', false],
    [40107, 'auth_revoked', false],
    [40064, 'messaging_limit', false],
    [40100, 'rate_limited', true],
    [50000, 'transient', true],
  ])(
    'classifies HTTP 200 with code %d as %s (retryable: %p)',
    async (code, errorClass, retryable) => {
      tiktok.reply(refused(code));

      const error = await failureOf(
        client.sendText(ACCESS_TOKEN, { businessId: 'b', conversationId: 'c', text: 't' }),
      );

      expect(error).toBeInstanceOf(TiktokApiError);
      expect(error.errorClass).toBe(errorClass);
      expect(error.retryable).toBe(retryable);
      expect(error.code).toBe(code);
      expect(error.httpStatus).toBe(200);
      expect(error.requestId).toBe('req-refused');
      expect(error.endpoint).toBe('business/message/send/');
    },
  );

  it('treats HTTP 503 as transient', async () => {
    tiktok.reply({ status: 503, text: 'Service Unavailable' });

    const error = await failureOf(client.getBusinessProfile(ACCESS_TOKEN, 'biz_0001'));

    expect(error.errorClass).toBe('transient');
    expect(error.httpStatus).toBe(503);
    expect(error.retryable).toBe(true);
  });

  it('treats HTTP 429 as rate limited', async () => {
    tiktok.reply({ status: 429, text: '' });

    const error = await failureOf(client.getBusinessProfile(ACCESS_TOKEN, 'biz_0001'));

    expect(error.errorClass).toBe('rate_limited');
  });

  it('reports HTTP 404 as a request error that names the path, since a missing slash causes it', async () => {
    tiktok.reply({ status: 404, text: 'Not Found' });

    const error = await failureOf(client.getBusinessProfile(ACCESS_TOKEN, 'biz_0001'));

    expect(error.errorClass).toBe('invalid_request');
    expect(error.httpStatus).toBe(404);
    expect(error.message).toContain(`${BASE_PATH}business/get/`);
  });

  it('uses the TikTok code when an HTTP error status carries an envelope', async () => {
    tiktok.reply({ status: 401, json: { code: 40105, message: 'invalid token', data: {} } });

    const error = await failureOf(client.getBusinessProfile(ACCESS_TOKEN, 'biz_0001'));

    expect(error.errorClass).toBe('auth_expired');
    expect(error.httpStatus).toBe(401);
    expect(error.code).toBe(40105);
  });

  it('treats a request that gets no answer within timeoutMs as transient', async () => {
    tiktok.reply({ hang: true });
    const impatient = new TiktokApiClient({
      apiBaseUrl: tiktok.baseUrl,
      appId: APP_ID,
      appSecret: APP_SECRET,
      timeoutMs: 200,
    });
    const started = Date.now();

    const error = await failureOf(impatient.getBusinessProfile(ACCESS_TOKEN, 'biz_0001'));

    expect(error.errorClass).toBe('transient');
    expect(error.message).toContain('timed out after 200 ms');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('treats a body that is not JSON as transient', async () => {
    tiktok.reply({ status: 200, text: '<html>gateway</html>' });

    const error = await failureOf(client.getBusinessProfile(ACCESS_TOKEN, 'biz_0001'));

    expect(error.errorClass).toBe('transient');
    expect(error.httpStatus).toBe(200);
  });

  it('treats JSON without the envelope code as transient', async () => {
    tiktok.reply({ json: { data: { username: 'shopdemo' } } });

    const error = await failureOf(client.getBusinessProfile(ACCESS_TOKEN, 'biz_0001'));

    expect(error.errorClass).toBe('transient');
  });

  it('treats a refused connection as transient', async () => {
    const baseUrl = tiktok.baseUrl;
    await tiktok.close();
    const orphan = new TiktokApiClient({
      apiBaseUrl: baseUrl,
      appId: APP_ID,
      appSecret: APP_SECRET,
    });

    const error = await failureOf(orphan.revokeAccessToken(ACCESS_TOKEN));

    expect(error.errorClass).toBe('transient');
    expect(error.httpStatus).toBeUndefined();
    tiktok = await startFakeTiktok();
  });

  it('rejects a token response without a refresh token, naming the missing field', async () => {
    const { refresh_token: _omitted, ...withoutRefresh } = GRANT_DATA;
    tiktok.reply(ok(withoutRefresh));

    const error = await failureOf(client.refreshAccessToken(REFRESH_TOKEN));

    expect(error.errorClass).toBe('invalid_request');
    expect(error.message).toContain('refresh_token');
    expect(error.message).not.toContain(ACCESS_TOKEN);
  });

  it('rejects a token response without access_token or open_id', async () => {
    tiktok.reply(ok({ refresh_token: REFRESH_TOKEN, expires_in: 1, refresh_token_expires_in: 1 }));

    const error = await failureOf(client.exchangeAuthCode({ authCode: 'c', redirectUri: 'r' }));

    expect(error.errorClass).toBe('invalid_request');
    expect(error.message).toMatch(/access_token.*open_id/);
  });

  it('fails as a bug without calling TikTok when the access token is empty', async () => {
    const error = await failureOf(client.getBusinessProfile('', 'biz_0001'));

    expect(error.errorClass).toBe('bug');
    expect(tiktok.requests).toHaveLength(0);
  });
});

describe('TiktokApiClient error hygiene', () => {
  // TikTok can only quote what the request carried, so each case echoes that call's own values.
  const echoing = (...values: string[]): string => `invalid parameter(s): ${values.join(', ')}`;

  function expectClean(error: TiktokApiError): void {
    for (const rendered of [error.message, String(error), inspect(error), error.endpoint]) {
      expect(rendered).not.toContain(ACCESS_TOKEN);
      expect(rendered).not.toContain(APP_SECRET);
      expect(rendered).not.toContain(REFRESH_TOKEN);
    }
    expect(error.endpoint).not.toContain('?');
  }

  it('keeps the app secret out of a failed webhook list call, whose URL carries it', async () => {
    tiktok.reply({ status: 500, json: { code: 50000, message: echoing(APP_SECRET) } });
    expectClean(await failureOf(client.getWebhook()));

    tiktok.reply({ status: 404, text: 'Not Found' });
    expectClean(await failureOf(client.getWebhook()));

    tiktok.reply(refused(40002, echoing(APP_ID, APP_SECRET)));
    expectClean(await failureOf(client.getWebhook()));
  });

  it('keeps the app secret out of a webhook list call that times out', async () => {
    tiktok.reply({ hang: true });
    const impatient = new TiktokApiClient({
      apiBaseUrl: tiktok.baseUrl,
      appId: APP_ID,
      appSecret: APP_SECRET,
      timeoutMs: 200,
    });

    expectClean(await failureOf(impatient.getWebhook()));
  });

  it('masks tokens and the secret that TikTok quotes back in its error message', async () => {
    tiktok.reply(refused(40105, echoing(ACCESS_TOKEN)));
    const profileError = await failureOf(client.getBusinessProfile(ACCESS_TOKEN, 'biz_0001'));
    expectClean(profileError);
    expect(profileError.message).toContain('[redacted]');

    tiktok.reply(refused(40107, echoing(REFRESH_TOKEN, APP_SECRET)));
    expectClean(await failureOf(client.refreshAccessToken(REFRESH_TOKEN)));
  });
});
