import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Locator, Page } from 'playwright-core';
import {
  TIKTOK_API_CLIENT,
  TiktokAccountsService,
  TiktokTokenService,
  type TiktokApiClient,
} from '../../libs/tiktok-channel/src';
import { post, type Harness, type HarnessOptions } from '../support/e2e-harness';
import { HelpdeskClient, type InboxDto } from '../support/helpdesk-client';
import { SandboxControl } from '../support/sandbox-control';
import { signInWithTiktok } from './browser';
import { signedInBrowsers } from './signed-in-browser';

/**
 * Runs in the page (the tests compile without the DOM's types): what of each inbox card lies
 * outside it, or outside the inbox list, and the old "one letter per line" squeeze.
 */
const CARD_PROBLEMS = `(() => {
  const found = [];
  const panel = document.querySelector('#inboxes').getBoundingClientRect();
  document.querySelectorAll('#inboxes li.inbox-card').forEach((card) => {
    const box = card.getBoundingClientRect();
    const name = card.dataset.status;
    if (box.left < panel.left - 0.5 || box.right > panel.right + 0.5) found.push(name + ': card outside its list');
    card.querySelectorAll('*').forEach((element) => {
      const inner = element.getBoundingClientRect();
      if (inner.width === 0 && inner.height === 0) return;
      if (inner.left < box.left - 0.5 || inner.right > box.right + 0.5 ||
          inner.top < box.top - 0.5 || inner.bottom > box.bottom + 0.5) {
        found.push(name + ': <' + element.tagName.toLowerCase() + ' class="' + element.className + '"> outside its card');
      }
    });
    const title = card.querySelector('.item-title').getBoundingClientRect();
    if (title.width < 80) found.push(name + ': title squeezed to ' + title.width + 'px');
    const button = card.querySelector('.button');
    if (button && button.getBoundingClientRect().height > 40) found.push(name + ': Reconnect button wraps');
  });
  return found;
})()`;

/** The admin's side of the page: sign-in, inbox settings, the inbox card, diagnostics. */
describe('The helpdesk page for an admin, in a real browser', () => {
  const browsers = signedInBrowsers();
  let h: Harness;
  let helpdesk: HelpdeskClient;
  let page: Page;
  let pageErrors: string[];

  async function open(options: HarnessOptions = {}) {
    ({ h, page, pageErrors } = await browsers.open(options));
    helpdesk = new HelpdeskClient(h.url);
  }

  async function connect(username: string): Promise<InboxDto> {
    await signInWithTiktok(page, h.url, h.sandbox.url, {
      username,
      accountType: 'business',
      decision: 'approve',
    });
    const inbox = (await helpdesk.inboxes()).find((i) => i.channel.username === username);
    if (!inbox) throw new Error(`no inbox for ${username}`);
    return inbox;
  }

  function card(inboxId: string): Locator {
    return page.locator(`#inboxes li[data-inbox-id="${inboxId}"]`);
  }

  async function accountIdOf(inboxId: string): Promise<string> {
    const account = await h.app.get(TiktokAccountsService).findByInboxId(inboxId);
    if (!account) throw new Error(`no account for inbox ${inboxId}`);
    return account.accountId;
  }

  /** The person removes the app in TikTok: every token of the grant stops working. */
  async function revokeAtTiktok(inboxId: string) {
    const token = await h.app.get(TiktokTokenService).getAccessToken(await accountIdOf(inboxId));
    const answer = await post(`${h.sandbox.url}/open_api/v1.3/tt_user/oauth2/revoke/`, {
      client_id: h.config.tiktok.appId,
      client_secret: h.config.tiktok.appSecret,
      access_token: token,
    });
    expect(answer.status).toBe(200);
  }

  it('signs in with the form, connects a TikTok account and renames its inbox in its settings', async () => {
    await open();
    // Signed in through the form (beforeEach): the page names who is signed in.
    expect(await page.locator('#who').textContent()).toBe('Admin (admin)');
    const inbox = await connect('shopdemo');

    await card(inbox.id)
      .getByRole('link', { name: `Settings of ${inbox.name}` })
      .click();
    await page.locator('#view-inbox').waitFor();
    // The profile, with the avatar TikTok gives and the token expiry dates.
    const avatar = page.locator('#inbox-settings .profile img.avatar');
    expect(await avatar.getAttribute('src')).toMatch(/\/sandbox\/avatars\//);
    expect(await page.locator('#inbox-access-expiry').textContent()).toBe(
      new Date(inbox.channel.accessTokenExpiresAt).toLocaleString('en-US'),
    );
    expect(await page.locator('#inbox-refresh-expiry').textContent()).toBe(
      new Date(inbox.channel.refreshTokenExpiresAt).toLocaleString('en-US'),
    );
    expect(await page.locator('#inbox-reconnect').textContent()).toBe('Reconnect as @shopdemo');

    await page.getByLabel('Inbox name').fill('Shop support');
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.locator('#inbox-settings-status', { hasText: 'Renamed.' }).waitFor();
    await page.getByRole('button', { name: 'Refresh profile' }).click();
    await page
      .locator('#inbox-settings-status', { hasText: 'Profile refreshed from TikTok.' })
      .waitFor();

    await page.getByRole('link', { name: 'Back to conversations' }).click();
    await card(inbox.id).locator('.item-title', { hasText: 'Shop support' }).waitFor();
    expect(await card(inbox.id).locator('.item-sub').textContent()).toBe('@shopdemo');
    expect((await helpdesk.inboxes())[0].name).toBe('Shop support');
    expect(pageErrors).toEqual([]);
  });

  it('reads the business profile again when the avatar link TikTok gave has expired', async () => {
    await open();
    const inbox = await connect('avatarshop');
    // TikTok's CDN links expire: this one no longer answers.
    await h.sql.query(
      `UPDATE inboxes SET profile_image_url = 'http://127.0.0.1:9/expired.jpeg',
              profile_refreshed_at = now() - interval '2 days' WHERE id = $1`,
      [inbox.id],
    );
    const reads = (await new SandboxControl(h.sandbox.url).stats()).profileReads;

    await page.reload();

    // Once the broken link has been replaced, the card is painted again with TikTok's new one.
    await card(inbox.id).locator('img.avatar[src*="/sandbox/avatars/"]').waitFor();
    expect((await new SandboxControl(h.sandbox.url).stats()).profileReads).toBe(reads + 1);
    const [stored] = (await helpdesk.inboxes()).filter((i) => i.id === inbox.id);
    expect(stored.channel.profileImageUrl).toContain('/sandbox/avatars/');
  });

  it('reconnects an inbox after its authorization was revoked at TikTok, naming the account to use', async () => {
    await open();
    const inbox = await connect('revoked.shop');
    await revokeAtTiktok(inbox.id);

    // The next TikTok call finds the grant gone; the page says what to do.
    await card(inbox.id)
      .getByRole('link', { name: `Settings of ${inbox.name}` })
      .click();
    await page.getByRole('button', { name: 'Refresh profile' }).click();
    await page.locator('#inbox-settings-error:not(:empty)').waitFor();
    expect(await page.locator('#inbox-settings-error').textContent()).toBe(
      "TikTok refused this inbox's authorization (it was revoked or has expired): reconnect it as @revoked.shop",
    );
    expect(await page.locator('#inbox-reconnect-hint').textContent()).toBe(
      'To reconnect, sign in to TikTok as @revoked.shop: another account would be refused for this inbox.',
    );

    await post(`${h.sandbox.url}/sandbox/consent`, {
      username: 'revoked.shop',
      accountType: 'business',
      decision: 'approve',
    });
    await page.getByRole('link', { name: 'Reconnect as @revoked.shop' }).click();
    await page.waitForURL((url) => url.origin === h.url && url.pathname === '/');
    await page.locator('#connect-banner.banner-success').waitFor();
    await card(inbox.id).locator('.badge', { hasText: 'Connected' }).waitFor();
    // The new grant works: the profile can be read again.
    await card(inbox.id)
      .getByRole('link', { name: `Settings of ${inbox.name}` })
      .click();
    await page.getByRole('button', { name: 'Refresh profile' }).click();
    await page
      .locator('#inbox-settings-status', { hasText: 'Profile refreshed from TikTok.' })
      .waitFor();
    await page.getByRole('link', { name: 'Back to conversations' }).click();
    expect(await card(inbox.id).getByRole('link', { name: 'Reconnect' }).count()).toBe(0);
    expect((await helpdesk.inboxes()).map((i) => [i.id, i.channel.status])).toEqual([
      [inbox.id, 'active'],
    ]);
  });

  it('keeps every element of the inbox card inside it, in every state, at 390, 1280 and 1920 px', async () => {
    await open();
    const active = await connect('activeshop');
    const reauth = await connect('spring.collection.eu');
    const disconnected = await connect('goneshop');
    await post(`${h.url}/api/inboxes/${disconnected.id}/disconnect`, {});
    await h.app
      .get(TiktokAccountsService)
      .markReauthorizationRequired(await accountIdOf(reauth.id), 'test: grant refused');
    const renamed = await fetch(`${h.url}/api/inboxes/${reauth.id}`, {
      method: 'PATCH',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${h.admin.email}:${h.admin.password}`).toString('base64')}`,
      },
      body: JSON.stringify({ name: 'Customer care for the spring collection (EU)' }),
    });
    expect(renamed.status).toBe(200);
    const states = {
      [active.id]: 'active',
      [reauth.id]: 'reauthorization_required',
      [disconnected.id]: 'disconnected',
    };

    for (const width of [390, 1280, 1920]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${h.url}/`);
      for (const [id, status] of Object.entries(states)) {
        await card(id)
          .and(page.locator(`[data-status="${status}"]`))
          .waitFor();
      }
      const problems = (await page.evaluate(CARD_PROBLEMS)) as string[];
      expect({ width, problems }).toEqual({ width, problems: [] });
      await card(reauth.id).getByRole('link', { name: 'Reconnect' }).waitFor();
      await card(disconnected.id).getByRole('link', { name: 'Reconnect' }).waitFor();
      expect(await card(active.id).getByRole('link', { name: 'Reconnect' }).count()).toBe(0);
      await page.screenshot({ path: `/tmp/helpdesk-inbox-cards-${width}.png`, fullPage: true });
    }
    expect(pageErrors).toEqual([]);
  });

  it('adds an agent on the Team page and removes them again, which signs them out', async () => {
    await open();
    await page.getByRole('link', { name: 'Team' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Rui');
    await page.getByLabel('Agent email').fill('rui@shop.test');
    await page.getByLabel('Agent password').fill('a long enough password');
    await page.getByRole('button', { name: 'Add agent' }).click();
    const row = page.locator('#team li', { hasText: 'rui@shop.test' });
    await row.waitFor();
    const agentAuth = {
      authorization: `Basic ${Buffer.from('rui@shop.test:a long enough password').toString('base64')}`,
    };
    expect((await fetch(`${h.url}/api/inboxes`, { headers: agentAuth })).status).toBe(200);
    // The admin's own row has no Remove button.
    expect(
      await page.locator('#team li', { hasText: h.admin.email }).getByRole('button').count(),
    ).toBe(0);

    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Remove Rui' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await fetch(`${h.url}/api/inboxes`, { headers: agentAuth })).status).toBe(401);
    expect(pageErrors).toEqual([]);
  });

  it('shows the diagnostics with a failing check and its fix', async () => {
    await open();
    await connect('diagshop');
    await h.app.get<TiktokApiClient>(TIKTOK_API_CLIENT).deleteWebhook();

    await page.getByRole('link', { name: 'Diagnostics' }).click();
    const check = page.locator('#checks li[data-check-id="webhook_registration"]');
    await check.waitFor();

    expect(await check.getAttribute('class')).toBe('check check-fail');
    expect(await check.locator('.badge').textContent()).toBe('Failing');
    expect(await check.locator('.check-fix').textContent()).toMatch(/^Fix: .*register/i);
    expect(await page.locator('#diagnostics-summary').textContent()).toMatch(/needs? attention/);
    // Failing checks come first.
    expect(await page.locator('#checks li').first().getAttribute('data-check-id')).toBe(
      'webhook_registration',
    );
    expect(pageErrors).toEqual([]);
  });

  it('explains refused app credentials in words, not “try again”', async () => {
    await open({ wrongAppSecret: true });

    await signInWithTiktok(page, h.url, h.sandbox.url, {
      username: 'shopdemo',
      accountType: 'business',
      decision: 'approve',
    });

    const banner = page.locator('#connect-banner p');
    expect(await banner.textContent()).toBe(
      'TikTok refused the helpdesk’s app credentials, so nothing was connected. ' +
        'An administrator needs to check the TikTok app id and secret (the diagnostics report names the problem).',
    );
    expect(await helpdesk.inboxes()).toEqual([]);
    // The banner leads to the check that names the problem.
    await page
      .locator('#connect-banner')
      .getByRole('link', { name: 'Open the diagnostics' })
      .click();
    const check = page.locator('#checks li[data-check-id="app_credentials"]');
    await check.waitFor();
    expect(await check.locator('.badge').textContent()).toBe('Failing');
    expect(await check.locator('.check-fix').textContent()).toMatch(/^Fix: /);
  });

  describe('a page on another site', () => {
    let evil: Server;

    afterEach(async () => {
      await new Promise((resolve) => evil?.close(resolve));
    });

    it('cannot make the signed-in browser create an automation rule with a form post', async () => {
      await open();
      // Another origin (another port): the browser still sends the SameSite=Lax cookie there
      // only on top-level GETs, and the Origin header on the post tells the helpdesk where it came from.
      evil = createServer((_, res) => {
        res.setHeader('content-type', 'text/html');
        res.end(`<!doctype html><form id="f" method="post" action="${h.url}/api/automation-rules">
          <input name="trigger" value="first_message"><input name="kind" value="auto_reply">
          <input name="content" value="Visit evil.example"></form>
          <script>document.getElementById('f').submit()</script>`);
      });
      await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
      const evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/`;

      const answer = page.waitForResponse((r) => r.url() === `${h.url}/api/automation-rules`);
      await page.goto(evilUrl);
      const response = await answer;

      expect(response.request().method()).toBe('POST');
      expect(response.status()).toBe(403);
      const rules = await fetch(`${h.url}/api/automation-rules`, {
        headers: {
          authorization: `Basic ${Buffer.from(`${h.admin.email}:${h.admin.password}`).toString('base64')}`,
        },
      });
      expect(await rules.json()).toEqual([]);
    });
  });
});
