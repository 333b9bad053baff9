import { startHarness, type Harness } from '../support/e2e-harness';
import { HelpdeskClient } from '../support/helpdesk-client';
import { SandboxControl } from '../support/sandbox-control';
import { collectPageErrors, launchChromium, recordNavigations, signInWithTiktok } from './browser';
import type { Browser } from 'playwright-core';

describe('scratch', () => {
  let browser: Browser;
  let h: Harness;
  beforeAll(async () => {
    browser = await launchChromium();
    h = await startHarness();
  });
  afterAll(async () => {
    await browser.close();
    await h.close();
  });
  it('collects errors and navigations, screenshots banners', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    const navs = recordNavigations(page);
    await signInWithTiktok(page, h.url, h.sandbox.url, {
      username: 'shopdemo',
      accountType: 'business',
      decision: 'approve',
    });
    await page.locator('#inboxes li.item').waitFor();
    await page.screenshot({ path: '/tmp/scratch-success.png', fullPage: true });
    console.log(JSON.stringify(navs, null, 1));
    await page.evaluate(() => console.error('boom'));
    await page.evaluate(() => {
      setTimeout(() => {
        throw new Error('kaboom');
      }, 0);
    });
    await page.waitForFunction(() => true);
    await page.reload();
    console.log(errors);
    await signInWithTiktok(page, h.url, h.sandbox.url, {
      username: 'just.me',
      accountType: 'personal',
      decision: 'approve',
    });
    await page.locator('#inboxes li.item').waitFor();
    await page.screenshot({ path: '/tmp/scratch-personal.png', fullPage: true });
    await page.setViewportSize({ width: 600, height: 900 });
    await page.screenshot({ path: '/tmp/scratch-narrow.png', fullPage: true });
    await page.goto(h.url + '/?tiktok_status=error&tiktok_reason=%3Cb%3Ex%3C%2Fb%3E');
    console.log(await page.locator('#connect-banner p').textContent());
    await context.close();
  });
  it('catches an innerHTML page', async () => {
    const sandbox = new SandboxControl(h.sandbox.url);
    const helpdesk = new HelpdeskClient(h.url);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.route('**/assets/helpdesk.js', async (route) => {
      const res = await route.fetch();
      const body = (await res.text()).replace('node.textContent = value', 'node.innerHTML = value');
      await route.fulfill({ response: res, body });
    });
    const [inbox] = await helpdesk.inboxes();
    const userId = await sandbox.createUser('mallory', 'mallory');
    await sandbox.sendAsUser(
      userId,
      inbox.channel.businessId!,
      '<img src=x onerror="window.__xss=1">',
    );
    await new Promise((r) => setTimeout(r, 1000));
    await page.goto(h.url + '/#inbox=' + inbox.id);
    await page.locator('#conversations').getByRole('button', { name: 'mallory' }).click();
    await page.locator('#messages li.message-incoming').waitFor();
    console.log(
      'imgs',
      await page.locator('#messages img').count(),
      await page.evaluate(() => (globalThis as { __xss?: unknown }).__xss),
    );
    await context.close();
  });
});
