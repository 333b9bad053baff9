import type { Page } from 'playwright-core';
import { eventually, type Harness } from '../support/e2e-harness';
import { HelpdeskClient, type InboxDto } from '../support/helpdesk-client';
import { SandboxControl } from '../support/sandbox-control';
import { recordNavigations, signInWithTiktok, type Navigation } from './browser';
import { signedInBrowsers } from './signed-in-browser';

// The sentences a person reads, copied from apps/helpdesk/src/page/connect-banner.ts on purpose:
// the test pins what is shown, not whatever the code happens to say.
const CONNECTED_TEXT =
  'Your TikTok Business account is connected. New direct messages will appear in its inbox.';
const ACCESS_DENIED_TEXT = 'You declined the TikTok authorization, so nothing was connected.';
const PERSONAL_ACCOUNT_TEXT =
  'That TikTok account is a personal account; Business Messaging needs a TikTok Business account. ' +
  'Switch it to Business in the TikTok app and try again.';
const NO_INBOX_TEXT =
  'No inbox yet. Use “Sign in with TikTok” to connect a TikTok Business account.';

describe('The demo helpdesk page in a real browser', () => {
  const browsers = signedInBrowsers();
  let h: Harness;
  let sandbox: SandboxControl;
  let helpdesk: HelpdeskClient;
  let page: Page;
  let pageErrors: string[];
  let navigations: Navigation[];

  // A helpdesk on an empty database and a fresh browser profile for every test.
  beforeEach(async () => {
    ({ h, page, pageErrors } = await browsers.open());
    sandbox = new SandboxControl(h.sandbox.url);
    helpdesk = new HelpdeskClient(h.url);
    navigations = recordNavigations(page);
  });

  function consent(
    username: string | undefined,
    accountType: 'business' | 'personal',
    decision: 'approve' | 'deny',
  ) {
    return signInWithTiktok(page, h.url, h.sandbox.url, { username, accountType, decision });
  }

  async function connectBusinessAccount(username: string): Promise<InboxDto> {
    await consent(username, 'business', 'approve');
    const [inbox] = await helpdesk.inboxes();
    expect(inbox.channel.username).toBe(username);
    return inbox;
  }

  /** A TikTok user writes; resolves once the helpdesk has stored the message. */
  async function customerWrites(businessId: string, username: string, text: string) {
    const userId = await sandbox.createUser(username, username);
    const sent = await sandbox.sendAsUser(userId, businessId, text);
    const [inbox] = await helpdesk.inboxes();
    await eventually(async () => {
      const [conversation] = await helpdesk.conversations(inbox.id);
      if (!conversation) return false;
      const messages = await helpdesk.messages(conversation.id);
      return messages.some((m) => m.externalId === sent.messageId);
    }, 'the customer’s message to reach the helpdesk');
    return sent;
  }

  /** Reloads the page (it keeps the selected inbox) and opens the conversation with `contact`. */
  async function openConversation(contact: string) {
    await page.reload();
    await page.locator('#conversations').getByRole('button', { name: contact }).click();
    await page.locator('#thread-title', { hasText: contact }).waitFor();
  }

  it('lets an admin connect a TikTok Business account on TikTok’s consent page and then lists its inbox as connected', async () => {
    await consent('shopdemo', 'business', 'approve');

    // Back on the helpdesk's own page, through the sandbox's real consent page.
    const [connected] = await helpdesk.inboxes();
    expect(
      navigations.some((n) => n.url.startsWith(h.sandbox.authorizeUrl) && n.status === 200),
    ).toBe(true);
    expect(navigations.filter((n) => n.status >= 400)).toEqual([]);
    expect(navigations.at(-1)).toEqual({
      url: `${h.url}/?tiktok_status=connected&inbox_id=${connected.id}`,
      status: 200,
    });
    const banner = page.locator('#connect-banner');
    expect(await banner.getAttribute('class')).toBe('banner banner-success');
    expect(await banner.getAttribute('role')).toBe('status');
    expect((await banner.locator('p').textContent())?.trim()).toBe(CONNECTED_TEXT);
    // With the banner shown the three columns still fit the window: no page scroll bar.
    expect(await page.evaluate('document.documentElement.scrollHeight <= window.innerHeight')).toBe(
      true,
    );

    // The inbox is listed with its @username, marked connected, and opened.
    const inbox = page.locator('#inboxes li.item');
    await inbox.first().waitFor();
    expect(await inbox.count()).toBe(1);
    expect(await inbox.locator('.item-title').textContent()).toBe('TikTok @shopdemo');
    // The handle is in the name already, so it is not repeated underneath.
    expect(await inbox.locator('.item-sub').textContent()).toBe('');
    const badge = inbox.locator('.badge');
    expect(await badge.textContent()).toBe('Connected');
    expect(await badge.getAttribute('class')).toBe('badge badge-active');
    expect(await inbox.getByRole('button').getAttribute('aria-current')).toBe('true');
    expect(await inbox.getByRole('link', { name: 'Reconnect' }).count()).toBe(0);
    await page.locator('#conversations', { hasText: 'No conversations yet.' }).waitFor();

    // The outcome is not announced again on a reload.
    expect(new URL(page.url()).search).toBe('');
    expect(new URL(page.url()).hash).toBe(`#inbox=${connected.id}`);

    expect(pageErrors).toEqual([]);
  });

  it('shows a customer’s message in the conversation view and delivers the agent’s reply to the TikTok user', async () => {
    const inbox = await connectBusinessAccount('shopdemo');
    const inbound = await customerWrites(
      inbox.channel.businessId,
      'mia.k',
      'Is the blue one in stock?',
    );

    await openConversation('mia.k');
    const incoming = page.locator('#messages li.message-incoming');
    await incoming.first().waitFor();
    expect(await incoming.locator('.message-text').allTextContents()).toEqual([
      'Is the blue one in stock?',
    ]);
    expect(await page.locator('#conversation-status').textContent()).toBe('Open');

    await page.getByLabel('Reply').fill('Yes, in every size!');
    await page.getByRole('button', { name: 'Send' }).click();

    const outgoing = page.locator('#messages li.message-outgoing', {
      hasText: 'Yes, in every size!',
    });
    await outgoing.locator('.message-meta', { hasText: 'Sent' }).waitFor();
    expect(await outgoing.getAttribute('class')).toBe('message message-outgoing');
    expect(await outgoing.locator('.message-meta').textContent()).toMatch(/ · Sent$/);
    expect(await page.getByLabel('Reply').inputValue()).toBe('');
    expect(await page.locator('#reply-error').textContent()).toBe('');
    expect(
      await page.locator('#messages li.message').locator('.message-text').allTextContents(),
    ).toEqual(['Is the blue one in stock?', 'Yes, in every size!']);

    // The TikTok user has it.
    const seen = await sandbox.conversation(inbound.conversationId);
    expect(seen.map((m) => [m.from, m.text])).toEqual([
      ['user', 'Is the blue one in stock?'],
      ['business', 'Yes, in every size!'],
    ]);

    await page.screenshot({ path: '/tmp/helpdesk-conversation.png', fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('ends on the helpdesk page with the sentence for a declined authorization when consent is denied', async () => {
    await consent(undefined, 'business', 'deny');

    expect(navigations.at(-1)).toEqual({
      url: `${h.url}/?tiktok_status=error&tiktok_reason=access_denied`,
      status: 200,
    });
    expect(navigations.filter((n) => n.status >= 400)).toEqual([]);
    expect(await page.title()).toBe('Helpdesk · TikTok messages');
    const banner = page.locator('#connect-banner');
    expect(await banner.getAttribute('class')).toBe('banner banner-error');
    expect(await banner.getAttribute('role')).toBe('alert');
    expect((await banner.locator('p').textContent())?.trim()).toBe(ACCESS_DENIED_TEXT);
    await page.locator('#inboxes', { hasText: NO_INBOX_TEXT }).waitFor();
    expect(await helpdesk.inboxes()).toEqual([]);
  });

  it('ends on the helpdesk page explaining that a Personal TikTok account cannot be connected', async () => {
    await consent('just.me', 'personal', 'approve');

    expect(navigations.at(-1)).toEqual({
      url: `${h.url}/?tiktok_status=error&tiktok_reason=personal_account`,
      status: 200,
    });
    expect(navigations.filter((n) => n.status >= 400)).toEqual([]);
    const banner = page.locator('#connect-banner');
    expect(await banner.getAttribute('class')).toBe('banner banner-error');
    expect((await banner.locator('p').textContent())?.trim()).toBe(PERSONAL_ACCOUNT_TEXT);
    await page.locator('#inboxes', { hasText: NO_INBOX_TEXT }).waitFor();
    expect(await helpdesk.inboxes()).toEqual([]);
  });

  it('shows HTML in a customer’s message as plain text and never runs it', async () => {
    const inbox = await connectBusinessAccount('shopdemo');
    const payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script><b>hi</b>';
    await customerWrites(inbox.channel.businessId, 'mallory', payload);

    await openConversation('mallory');
    const text = page.locator('#messages li.message-incoming .message-text');
    await text.waitFor();
    expect(await text.textContent()).toBe(payload);
    expect(await page.locator('#messages').locator('img, script, b').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __xss?: unknown }).__xss)).toBeUndefined();
    // Had it become markup, the CSP would have refused the handler and said so on the console.
    expect(pageErrors).toEqual([]);
  });
});
