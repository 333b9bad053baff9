import { RunningSandbox } from 'tiktok-sandbox';
import {
  APP_ID,
  APP_SECRET,
  MESSAGING_SCOPES,
  REDIRECT_URI,
  TokenData,
  api,
  connectAccount,
  control,
  exchangeCode,
  openAuthorize,
  startTestSandbox,
} from './sandbox-kit';

describe('TikTok sandbox OAuth', () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });
  afterAll(() => sandbox.close());
  beforeEach(() => control(sandbox, 'POST', '/sandbox/reset'));

  function refresh(refreshToken: string) {
    return api<TokenData>(sandbox, 'POST', 'tt_user/oauth2/refresh_token/', {
      body: {
        client_id: APP_ID,
        client_secret: APP_SECRET,
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      },
    });
  }

  function profile(token: TokenData) {
    return api<{ username: string; is_business_account: boolean }>(
      sandbox,
      'GET',
      'business/get/',
      {
        token: token.access_token,
        query: {
          business_id: token.open_id,
          fields: '["username","display_name","profile_image"]',
        },
      },
    );
  }

  it('exposes the documented entry-point URLs without a trailing slash on url', () => {
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.apiBaseUrl).toBe(`${sandbox.url}/open_api/v1.3/`);
    expect(sandbox.authorizeUrl).toBe(`${sandbox.url}/v2/auth/authorize/`);
  });

  it('shows a consent page naming the app and the scopes when no consent is queued', async () => {
    const page = await openAuthorize(sandbox);
    expect(page.status).toBe(200);
    expect(page.html).toContain(`<title>Demo Helpdesk wants access`);
    expect(page.html).not.toContain(APP_ID + ' wants');
    expect(page.html).toContain('message.list.send');
    expect(page.html).toContain('name="username"');
    expect(page.html).toContain('value="approve"');
    expect(page.html).toContain('value="deny"');
  });

  it('refuses an unknown client_key with an HTML error page and no redirect', async () => {
    const page = await openAuthorize(sandbox, { client_key: 'someone_else' });
    expect(page.status).toBe(400);
    expect(page.location).toBeUndefined();
    expect(page.html).toContain('client_key');
  });

  it('refuses scopes separated by spaces instead of commas', async () => {
    const page = await openAuthorize(sandbox, { scope: 'user.info.basic message.list.send' });
    expect(page.status).toBe(400);
  });

  it('redirects with a code, the state and the granted scopes when the queued consent approves', async () => {
    await control(sandbox, 'POST', '/sandbox/consent', {
      username: 'shopdemo',
      accountType: 'business',
      decision: 'approve',
    });
    const { status, location } = await openAuthorize(sandbox);
    expect(status).toBe(302);
    expect(`${location?.origin}${location?.pathname}`).toBe(REDIRECT_URI);
    expect(location?.searchParams.get('state')).toBe('state-123');
    expect(location?.searchParams.get('code')).toBeTruthy();
    expect(location?.searchParams.get('scopes')).toBe(MESSAGING_SCOPES);
  });

  it('redirects with error=access_denied and the state when the queued consent denies', async () => {
    await control(sandbox, 'POST', '/sandbox/consent', { decision: 'deny' });
    const { status, location } = await openAuthorize(sandbox);
    expect(status).toBe(302);
    expect(location?.searchParams.get('error')).toBe('access_denied');
    expect(location?.searchParams.get('error_code')).toBeTruthy();
    expect(location?.searchParams.get('error_description')).toBeTruthy();
    expect(location?.searchParams.get('state')).toBe('state-123');
    expect(location?.searchParams.has('code')).toBe(false);
  });

  it('uses queued consents in order, then falls back to the consent page', async () => {
    await control(sandbox, 'POST', '/sandbox/consent', { username: 'first', decision: 'approve' });
    await control(sandbox, 'POST', '/sandbox/consent', { decision: 'deny' });
    expect((await openAuthorize(sandbox)).location?.searchParams.has('code')).toBe(true);
    expect((await openAuthorize(sandbox)).location?.searchParams.get('error')).toBe(
      'access_denied',
    );
    expect((await openAuthorize(sandbox)).status).toBe(200);
  });

  it('completes the flow from the consent page form as a browser would', async () => {
    const form = new URLSearchParams({
      client_key: APP_ID,
      response_type: 'code',
      scope: MESSAGING_SCOPES,
      redirect_uri: REDIRECT_URI,
      state: 'from-form',
      username: 'formshop',
      account_type: 'business',
      decision: 'approve',
    });
    const response = await fetch(`${sandbox.url}/v2/auth/authorize/decision`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
    });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.searchParams.get('state')).toBe('from-form');
    const token = await exchangeCode(sandbox, location.searchParams.get('code') ?? '');
    expect(token.code).toBe(0);
    expect(token.data.open_id).toMatch(/^biz_/);
  });

  it('keeps the username and account type after a validation error, and escapes them', async () => {
    const form = new URLSearchParams({
      client_key: APP_ID,
      response_type: 'code',
      scope: MESSAGING_SCOPES,
      redirect_uri: REDIRECT_URI,
      state: 'from-form',
      username: 'bad name"><b>',
      account_type: 'personal',
      decision: 'approve',
    });
    const response = await fetch(`${sandbox.url}/v2/auth/authorize/decision`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
    });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('class="error"');
    expect(html).toContain('value="bad name&quot;&gt;&lt;b&gt;"');
    expect(html).not.toContain('<b>');
    expect(html).toContain('<option value="personal" selected>');
    expect(html).toContain('<h1>Demo Helpdesk wants access');
  });

  it('names the app with the appName option', async () => {
    const named = await startTestSandbox({ appName: 'Acme <Support>' });
    try {
      const page = await openAuthorize(named);
      expect(page.html).toContain('<h1>Acme &lt;Support&gt; wants access');
      expect(page.html).not.toContain(`${APP_ID} wants`);
    } finally {
      await named.close();
    }
  });

  it('exchanges a code for tokens with the documented data shape', async () => {
    const token = await connectAccount(sandbox, 'shopdemo');
    expect(token).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      scope: MESSAGING_SCOPES,
      expires_in: 86400,
      refresh_token: expect.any(String),
      refresh_token_expires_in: 31536000,
      open_id: expect.stringMatching(/^biz_/),
    });
  });

  it('accepts a code only once', async () => {
    await control(sandbox, 'POST', '/sandbox/consent', { username: 'once', decision: 'approve' });
    const code = (await openAuthorize(sandbox)).location?.searchParams.get('code') ?? '';
    expect((await exchangeCode(sandbox, code)).code).toBe(0);
    const second = await exchangeCode(sandbox, code);
    expect(second.code).toBe(40110);
    expect(second.data).toEqual({});
  });

  it('refuses a code exchanged with another redirect_uri', async () => {
    await control(sandbox, 'POST', '/sandbox/consent', { username: 'redir', decision: 'approve' });
    const code = (await openAuthorize(sandbox)).location?.searchParams.get('code') ?? '';
    const answer = await exchangeCode(sandbox, code, {
      redirect_uri: 'https://elsewhere.example/cb/',
    });
    expect(answer.code).toBe(40110);
  });

  it('refuses wrong client credentials on the token call with code 40001', async () => {
    await control(sandbox, 'POST', '/sandbox/consent', { username: 'creds', decision: 'approve' });
    const code = (await openAuthorize(sandbox)).location?.searchParams.get('code') ?? '';
    const answer = await exchangeCode(sandbox, code, { client_secret: 'wrong' });
    expect(answer.code).toBe(40001);
    expect((await exchangeCode(sandbox, code)).code).toBe(0);
  });

  it('reuses the account, and its open_id, when the same username approves again', async () => {
    const first = await connectAccount(sandbox, 'returning');
    const second = await connectAccount(sandbox, 'returning');
    expect(second.open_id).toBe(first.open_id);
    expect(second.access_token).not.toBe(first.access_token);
  });

  it('answers is_business_account false for an account approved as personal', async () => {
    const personal = await connectAccount(sandbox, 'justme', { accountType: 'personal' });
    const business = await connectAccount(sandbox, 'realshop');
    expect((await profile(personal)).envelope.data.is_business_account).toBe(false);
    const shop = await profile(business);
    expect(shop.envelope.code).toBe(0);
    expect(shop.envelope.data).toEqual({
      username: 'realshop',
      display_name: 'realshop',
      profile_image: expect.stringContaining(business.open_id),
      is_business_account: true,
    });
  });

  it('rotates refresh tokens: the new pair works and the old refresh token is refused with 40107', async () => {
    const original = await connectAccount(sandbox, 'rotating');
    const rotated = await refresh(original.refresh_token);
    expect(rotated.envelope.code).toBe(0);
    expect(rotated.envelope.data.open_id).toBe(original.open_id);
    expect(rotated.envelope.data.access_token).not.toBe(original.access_token);
    expect(rotated.envelope.data.refresh_token).not.toBe(original.refresh_token);

    const reused = await refresh(original.refresh_token);
    expect(reused.status).toBe(200);
    expect(reused.envelope.code).toBe(40107);

    expect((await profile(rotated.envelope.data)).envelope.code).toBe(0);
    // The old access token lives until its own expiry.
    expect((await profile(original)).envelope.code).toBe(0);
    expect((await refresh(rotated.envelope.data.refresh_token)).envelope.code).toBe(0);
  });

  it('answers 40103 for an expired refresh token', async () => {
    const token = await connectAccount(sandbox, 'oldtimer');
    await control(sandbox, 'POST', '/sandbox/tokens/expire', {
      businessId: token.open_id,
      which: 'refresh',
    });
    expect((await refresh(token.refresh_token)).envelope.code).toBe(40103);
  });

  it('answers 40102 once the control API expires the access tokens, and refreshing recovers', async () => {
    const token = await connectAccount(sandbox, 'expiring');
    await control(sandbox, 'POST', '/sandbox/tokens/expire', { businessId: token.open_id });
    expect((await profile(token)).envelope.code).toBe(40102);
    const renewed = await refresh(token.refresh_token);
    expect((await profile(renewed.envelope.data)).envelope.code).toBe(0);
  });

  it('revokes every token of the account', async () => {
    const token = await connectAccount(sandbox, 'leaving');
    const revoked = await api(sandbox, 'POST', 'tt_user/oauth2/revoke/', {
      body: { client_id: APP_ID, client_secret: APP_SECRET, access_token: token.access_token },
    });
    expect(revoked.envelope).toMatchObject({ code: 0, data: {} });
    expect((await profile(token)).envelope.code).toBe(40105);
    expect((await refresh(token.refresh_token)).envelope.code).toBe(40107);
  });

  it('describes an access token through token_info/get', async () => {
    const token = await connectAccount(sandbox, 'introspected');
    const { envelope } = await api(sandbox, 'POST', 'tt_user/token_info/get/', {
      body: { app_id: APP_ID, access_token: token.access_token },
    });
    expect(envelope.data).toEqual({
      app_id: APP_ID,
      scope: MESSAGING_SCOPES,
      creator_id: token.open_id,
    });
  });

  it('counts successful token exchanges and refreshes in the stats', async () => {
    const token = await connectAccount(sandbox, 'counted');
    await refresh(token.refresh_token);
    await refresh(token.refresh_token);
    const { body } = await control<{
      tokenExchanges: number;
      refreshes: number;
      requests: Record<string, number>;
    }>(sandbox, 'GET', '/sandbox/stats');
    expect(body.tokenExchanges).toBe(1);
    expect(body.refreshes).toBe(1);
    expect(body.requests['/open_api/v1.3/tt_user/oauth2/refresh_token/']).toBe(2);
  });
});
