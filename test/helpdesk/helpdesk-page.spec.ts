import type { AddressInfo } from 'node:net';
import { Script } from 'node:vm';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { PageController } from '../../apps/helpdesk/src/page/page.controller';

describe('the helpdesk page', () => {
  let app: INestApplication;
  let baseUrl: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [PageController] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
  });

  async function page(query = ''): Promise<{ html: string; headers: Headers }> {
    const response = await fetch(`${baseUrl}/${query}`);
    expect(response.status).toBe(200);
    return { html: await response.text(), headers: response.headers };
  }

  function bannerText(html: string): string | null {
    const match = /<div class="banner [^"]*" id="connect-banner"[^>]*>\s*<p>([\s\S]*?)<\/p>/.exec(
      html,
    );
    return match ? match[1] : null;
  }

  it('offers Sign in with TikTok, pointing at the library’s authorize route', async () => {
    const { html, headers } = await page();

    expect(headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toContain(
      '<a class="button button-tiktok" id="connect" href="/tiktok/oauth/authorize">Sign in with TikTok</a>',
    );
    expect(bannerText(html)).toBeNull();
  });

  it('loads its script and styles from its own origin and forbids inline scripts', async () => {
    const { html, headers } = await page();

    expect(html).toContain('<script src="/assets/helpdesk.js" defer></script>');
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
    expect(headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('serves a script that is valid JavaScript', async () => {
    const response = await fetch(`${baseUrl}/assets/helpdesk.js`);

    expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
    const source = await response.text();
    expect(() => new Script(source)).not.toThrow();
    // User content reaches the DOM only as text.
    expect(source).not.toContain('innerHTML');
  });

  it('serves its stylesheet', async () => {
    const response = await fetch(`${baseUrl}/assets/helpdesk.css`);

    expect(response.headers.get('content-type')).toMatch(/^text\/css/);
    expect(await response.text()).toContain('.banner-error');
  });

  it('confirms a connected account with a success banner', async () => {
    const { html } = await page(
      '?tiktok_status=connected&inbox_id=00000000-0000-4000-8000-000000000000',
    );

    expect(html).toContain('class="banner banner-success"');
    expect(bannerText(html)).toBe(
      'Your TikTok Business account is connected. New direct messages will appear in its inbox.',
    );
  });

  it.each([
    ['access_denied', 'You declined the TikTok authorization, so nothing was connected.'],
    [
      'personal_account',
      'That TikTok account is a personal account; Business Messaging needs a TikTok Business account. ' +
        'Switch it to Business in the TikTok app and try again.',
    ],
  ])('explains the refusal %s in the agreed words', async (reason, sentence) => {
    const { html } = await page(`?tiktok_status=error&tiktok_reason=${reason}`);

    expect(html).toContain('class="banner banner-error"');
    expect(bannerText(html)).toBe(sentence);
  });

  it.each([
    ['missing_scopes', 'permission'],
    ['invalid_state', 'expired'],
    ['exchange_failed', 'try again'],
    ['authorization_failed', 'try again'],
    ['missing_code', 'authorization code'],
    ['profile_failed', 'profile'],
    ['already_connected_elsewhere', 'another workspace'],
    ['inbox_mismatch', 'different TikTok account'],
    ['internal_error', 'our side'],
    ['browser_mismatch', 'another browser'],
    ['app_credentials_rejected', 'app credentials'],
  ])('explains the refusal %s in a sentence of its own', async (reason, phrase) => {
    const { html } = await page(`?tiktok_status=error&tiktok_reason=${reason}`);

    const text = bannerText(html);
    expect(text).toContain(phrase);
    expect(text).not.toContain(reason);
  });

  it('links a failure a setting causes to the diagnostics, and a person’s own refusal to nothing', async () => {
    const credentials = (await page('?tiktok_status=error&tiktok_reason=app_credentials_rejected'))
      .html;
    const denied = (await page('?tiktok_status=error&tiktok_reason=access_denied')).html;

    expect(credentials).toContain(
      '<a class="banner-action" id="connect-banner-action" href="#view=diagnostics">Open the diagnostics</a>',
    );
    expect(denied).not.toContain('connect-banner-action');
  });

  it('still says that nothing was connected for a reason it does not know, and escapes it', async () => {
    const reason = encodeURIComponent('<img src=x onerror=alert(1)>"');
    const { html } = await page(`?tiktok_status=error&tiktok_reason=${reason}`);

    expect(html).not.toContain('<img src=x');
    expect(bannerText(html)).toBe(
      'TikTok could not be connected (reason: &lt;img src=x onerror=alert(1)&gt;&quot;). Please try again.',
    );
  });

  it('ignores a repeated query parameter instead of failing', async () => {
    const { html } = await page('?tiktok_status=error&tiktok_reason=a&tiktok_reason=b');

    expect(bannerText(html)).toBe('TikTok could not be connected. Please try again.');
  });
});
