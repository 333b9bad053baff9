import {
  CookieJar,
  followRedirects,
  get,
  startHarness,
  type Harness,
} from '../support/e2e-harness';
import { SandboxControl } from '../support/sandbox-control';

describe('Connecting a TikTok account that cannot be used', () => {
  let h: Harness;
  let sandbox: SandboxControl;

  beforeAll(async () => {
    h = await startHarness({ backgroundJobs: false });
    sandbox = new SandboxControl(h.sandbox.url);
  });

  afterAll(async () => {
    await h?.close();
  });

  async function connectEndsOn(): Promise<URL> {
    const hops = await followRedirects(`${h.url}/tiktok/oauth/authorize`);
    return new URL(hops[hops.length - 1]);
  }

  it('ends on the host page with reason access_denied when consent is denied', async () => {
    await sandbox.queueConsent('denier', 'business', 'deny');
    const landing = await connectEndsOn();
    expect(`${landing.origin}${landing.pathname}`).toBe(`${h.url}/`);
    expect(landing.searchParams.get('tiktok_status')).toBe('error');
    expect(landing.searchParams.get('tiktok_reason')).toBe('access_denied');
    const page = await fetch(landing);
    expect(page.status).toBe(200);
    expect(await get(`${h.url}/api/inboxes`)).toEqual([]);
  });

  it('ends on the host page with reason personal_account for a personal TikTok account', async () => {
    await sandbox.queueConsent('just.me', 'personal', 'approve');
    const landing = await connectEndsOn();
    expect(landing.searchParams.get('tiktok_status')).toBe('error');
    expect(landing.searchParams.get('tiktok_reason')).toBe('personal_account');
    expect(await get(`${h.url}/api/inboxes`)).toEqual([]);
  });

  it('refuses a callback whose state was forged or already used', async () => {
    const forged = await followRedirects(
      `${h.url}/tiktok/oauth/callback?code=abc&state=forged.state`,
    );
    const landing = new URL(forged[forged.length - 1]);
    expect(landing.searchParams.get('tiktok_reason')).toBe('invalid_state');

    // A real state used twice, by the browser that started it: the second callback must not
    // connect anything.
    await sandbox.queueConsent('twice', 'business', 'approve');
    const browser = new CookieJar();
    const hops = await followRedirects(`${h.url}/tiktok/oauth/authorize`, browser);
    const callback = hops.find((hop) => hop.includes('/tiktok/oauth/callback'));
    expect(callback).toBeDefined();
    const replay = await followRedirects(callback as string, browser);
    expect(new URL(replay[replay.length - 1]).searchParams.get('tiktok_reason')).toBe(
      'invalid_state',
    );
  });

  it.each([
    ['a repeated code', 'code=a&code=b&state=s.t'],
    ['a state longer than any the library issues', `code=a&state=${'s'.repeat(600)}`],
    ['a repeated error', 'error=access_denied&error=server_error&state=s.t'],
  ])('ends on the host page with reason invalid_callback for %s', async (_case, query) => {
    const hops = await followRedirects(`${h.url}/tiktok/oauth/callback?${query}`);
    const landing = new URL(hops[hops.length - 1]);
    expect(landing.searchParams.get('tiktok_status')).toBe('error');
    expect(landing.searchParams.get('tiktok_reason')).toBe('invalid_callback');
  });
});
