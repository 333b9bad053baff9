import { RunningSandbox } from 'tiktok-sandbox';
import {
  APP_ID,
  APP_SECRET,
  TokenData,
  api,
  connectAccount,
  control,
  startTestSandbox,
} from './sandbox-kit';

describe('TikTok sandbox Business API conventions', () => {
  let sandbox: RunningSandbox;
  let shop: TokenData;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });
  afterAll(() => sandbox.close());
  beforeEach(async () => {
    await control(sandbox, 'POST', '/sandbox/reset');
    shop = await connectAccount(sandbox, 'shopdemo');
  });

  function profile(
    token: string | undefined,
    businessId: string,
    headers: Record<string, string> = {},
  ) {
    return api(sandbox, 'GET', 'business/get/', {
      token,
      headers,
      query: { business_id: businessId },
    });
  }

  it('answers HTTP 404 for a Business path without its trailing slash', async () => {
    const withoutSlash = await fetch(
      `${sandbox.apiBaseUrl}business/get?business_id=${shop.open_id}`,
      {
        headers: { 'Access-Token': shop.access_token },
      },
    );
    expect(withoutSlash.status).toBe(404);
    const tokenWithoutSlash = await fetch(`${sandbox.apiBaseUrl}tt_user/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(tokenWithoutSlash.status).toBe(404);
  });

  it('wraps a success in the envelope with code 0, message, request_id and data', async () => {
    const { status, envelope } = await profile(shop.access_token, shop.open_id);
    expect(status).toBe(200);
    expect(envelope).toEqual({
      code: 0,
      message: 'OK',
      request_id: expect.stringMatching(/^\w{10,}$/),
      data: expect.objectContaining({ username: 'shopdemo' }),
    });
  });

  it('answers errors with HTTP 200, a non-zero code and empty data', async () => {
    const { status, envelope } = await profile(undefined, shop.open_id);
    expect(status).toBe(200);
    expect(envelope).toEqual({
      code: 40104,
      message: expect.any(String),
      request_id: expect.any(String),
      data: {},
    });
  });

  it('does not read the token from Authorization: Bearer, and says so', async () => {
    const { envelope } = await profile(undefined, shop.open_id, {
      Authorization: `Bearer ${shop.access_token}`,
    });
    expect(envelope.code).toBe(40104);
    expect(envelope.message).toContain('Access-Token');
  });

  it('answers 40105 for an unknown access token', async () => {
    expect((await profile('act.not-a-token', shop.open_id)).envelope.code).toBe(40105);
  });

  it('answers 40001 for a token of another business than business_id', async () => {
    const other = await connectAccount(sandbox, 'othershop');
    expect((await profile(other.access_token, shop.open_id)).envelope.code).toBe(40001);
  });

  it('answers 40001 when the token lacks the scope the endpoint needs', async () => {
    const narrow = await connectAccount(sandbox, 'narrow', { scope: 'video.list' });
    expect((await profile(narrow.access_token, narrow.open_id)).envelope.code).toBe(40001);
  });

  it('answers 40002 for fields that are not a JSON array', async () => {
    const { envelope } = await api(sandbox, 'GET', 'business/get/', {
      token: shop.access_token,
      query: { business_id: shop.open_id, fields: 'username,display_name' },
    });
    expect(envelope.code).toBe(40002);
    expect(envelope.message).toContain('fields');
  });

  it('answers 40002 in the envelope for a body that is not JSON', async () => {
    const response = await fetch(`${sandbox.apiBaseUrl}tt_user/oauth2/token/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{not json',
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { code: number }).code).toBe(40002);
  });

  it('answers 40002 for a form-encoded body where TikTok expects JSON', async () => {
    const response = await fetch(`${sandbox.apiBaseUrl}tt_user/oauth2/refresh_token/`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: APP_ID, client_secret: APP_SECRET }),
    });
    expect(((await response.json()) as { code: number }).code).toBe(40002);
  });

  it('stores one webhook callback for the app and lists and deletes it', async () => {
    const credentials = { app_id: APP_ID, secret: APP_SECRET, event_type: 'DIRECT_MESSAGE' };
    const update = await api(sandbox, 'POST', 'business/webhook/update/', {
      body: { ...credentials, callback_url: 'http://127.0.0.1:9/first' },
    });
    expect(update.envelope.code).toBe(0);
    await api(sandbox, 'POST', 'business/webhook/update/', {
      body: { ...credentials, callback_url: 'http://127.0.0.1:9/second' },
    });
    const listed = await api(sandbox, 'GET', 'business/webhook/list/', { query: credentials });
    expect(listed.envelope.data).toEqual({
      app_id: APP_ID,
      event_type: 'DIRECT_MESSAGE',
      callback_url: 'http://127.0.0.1:9/second',
    });
    expect(
      (await api(sandbox, 'POST', 'business/webhook/delete/', { body: credentials })).envelope.code,
    ).toBe(0);
    const afterDelete = await api(sandbox, 'GET', 'business/webhook/list/', { query: credentials });
    expect(afterDelete.envelope.data).toMatchObject({ callback_url: '' });
  });

  it('refuses webhook configuration with a wrong secret with 40001', async () => {
    const { envelope } = await api(sandbox, 'POST', 'business/webhook/update/', {
      body: {
        app_id: APP_ID,
        secret: 'wrong',
        event_type: 'DIRECT_MESSAGE',
        callback_url: 'http://127.0.0.1:9/',
      },
    });
    expect(envelope.code).toBe(40001);
  });

  it('answers a planned fault code for the next n calls to that path, then recovers', async () => {
    await control(sandbox, 'POST', '/sandbox/faults', {
      path: '/business/get/',
      code: 50000,
      times: 2,
    });
    expect((await profile(shop.access_token, shop.open_id)).envelope.code).toBe(50000);
    expect((await profile(shop.access_token, shop.open_id)).envelope.code).toBe(50000);
    expect((await profile(shop.access_token, shop.open_id)).envelope.code).toBe(0);
  });

  it('can fault with a bare HTTP status, like a gateway in front of TikTok', async () => {
    await control(sandbox, 'POST', '/sandbox/faults', {
      path: '/open_api/v1.3/tt_user/oauth2/refresh_token/',
      httpStatus: 503,
    });
    const response = await fetch(`${sandbox.apiBaseUrl}tt_user/oauth2/refresh_token/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(503);
  });

  it('counts profile reads and every request by path', async () => {
    await profile(shop.access_token, shop.open_id);
    await profile('act.bad', shop.open_id);
    const { body } = await control<{ profileReads: number; requests: Record<string, number> }>(
      sandbox,
      'GET',
      '/sandbox/stats',
    );
    expect(body.profileReads).toBe(1);
    expect(body.requests['/open_api/v1.3/business/get/']).toBe(2);
  });

  it('serves the profile image it points to', async () => {
    const { envelope } = await api<{ profile_image: string }>(sandbox, 'GET', 'business/get/', {
      token: shop.access_token,
      query: { business_id: shop.open_id },
    });
    const image = await fetch(envelope.data.profile_image);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toContain('image/svg+xml');
  });
});
