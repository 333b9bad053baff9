import { RunningSandbox } from 'tiktok-sandbox';
import {
  APP_ID,
  APP_SECRET,
  TokenData,
  WebhookReceiver,
  api,
  connectAccount,
  control,
  createUser,
  exchangeCode,
  openAuthorize,
  registerWebhook,
  startTestSandbox,
  userWrites,
} from './sandbox-kit';

describe('TikTok sandbox controls for troubleshooting', () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });
  afterAll(() => sandbox.close());
  beforeEach(() => control(sandbox, 'POST', '/sandbox/reset'));

  function tokenInfo(token: TokenData) {
    return api<{ scope: string }>(sandbox, 'POST', 'tt_user/token_info/get/', {
      body: { app_id: APP_ID, access_token: token.access_token },
    });
  }

  it('grants only the scopes a queued consent keeps ticked', async () => {
    await control(sandbox, 'POST', '/sandbox/consent', {
      username: 'picky',
      decision: 'approve',
      scopes: ['user.info.basic', 'message.list.read'],
    });
    const { location } = await openAuthorize(sandbox);
    expect(location?.searchParams.get('scopes')).toBe('user.info.basic,message.list.read');
    const grant = await exchangeCode(sandbox, location?.searchParams.get('code') ?? '');
    expect(grant.data.scope).toBe('user.info.basic,message.list.read');
  });

  it('takes a permission away from a live grant', async () => {
    const token = await connectAccount(sandbox, 'shop.scopes');
    const { status } = await control(sandbox, 'POST', '/sandbox/grants/scopes', {
      businessId: token.open_id,
      scopes: ['user.info.basic'],
    });
    expect(status).toBe(200);
    expect((await tokenInfo(token)).envelope.data.scope).toBe('user.info.basic');
  });

  it('issues tokens with the lifetimes set, until reset', async () => {
    await control(sandbox, 'POST', '/sandbox/token-lifetimes', { refreshSeconds: 3600 });
    const short = await connectAccount(sandbox, 'shop.short');
    expect(short.refresh_token_expires_in).toBe(3600);
    expect(short.expires_in).toBe(86_400);

    await control(sandbox, 'POST', '/sandbox/reset');
    const normal = await connectAccount(sandbox, 'shop.normal');
    expect(normal.refresh_token_expires_in).toBe(31_536_000);
  });

  it('runs TikTok’s clock off by the offset: Date header, token expiries and webhook signatures', async () => {
    const receiver = await new WebhookReceiver().start();
    try {
      await control(sandbox, 'POST', '/sandbox/clock', { offsetSeconds: 600 });
      const response = await fetch(`${sandbox.apiBaseUrl}business/webhook/list/`);
      const skewMs = Date.parse(response.headers.get('date') ?? '') - Date.now();
      await response.arrayBuffer();
      expect(skewMs).toBeGreaterThan(595_000);
      expect(skewMs).toBeLessThan(605_000);

      const token = await connectAccount(sandbox, 'shop.clock');
      await registerWebhook(sandbox, receiver.url);
      const userId = await createUser(sandbox, 'mia.clock');
      await userWrites(sandbox, userId, token.open_id, 'hello');
      const [webhook] = await receiver.waitForCount(1);
      expect(webhook.signedAt * 1000 - Date.now()).toBeGreaterThan(590_000);
      expect(webhook.signatureValid).toBe(true);
    } finally {
      await receiver.close();
    }
  });

  it('switches an account to personal', async () => {
    const token = await connectAccount(sandbox, 'shop.switch');
    await control(sandbox, 'POST', '/sandbox/accounts/type', {
      businessId: token.open_id,
      accountType: 'personal',
    });
    const { envelope } = await api<{ is_business_account: boolean }>(
      sandbox,
      'GET',
      'business/get/',
      { token: token.access_token, query: { business_id: token.open_id } },
    );
    expect(envelope.data.is_business_account).toBe(false);
  });

  it('counts revokes per business', async () => {
    const token = await connectAccount(sandbox, 'shop.revoke');
    await api(sandbox, 'POST', 'tt_user/oauth2/revoke/', {
      body: { client_id: APP_ID, client_secret: APP_SECRET, access_token: token.access_token },
    });
    const { body } = await control<{ revokes: number; revokesByBusiness: Record<string, number> }>(
      sandbox,
      'GET',
      '/sandbox/stats',
    );
    expect(body.revokes).toBe(1);
    expect(body.revokesByBusiness).toEqual({ [token.open_id]: 1 });
  });

  it('refuses a clock offset that is not a number of seconds', async () => {
    const { status } = await control(sandbox, 'POST', '/sandbox/clock', { offsetSeconds: 'soon' });
    expect(status).toBe(400);
  });
});
