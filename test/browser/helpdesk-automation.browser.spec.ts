import { EventEmitter2 } from '@nestjs/event-emitter';
import type { Page } from 'playwright-core';
import {
  HelpdeskEvents,
  type AutomationSkippedEvent,
} from '../../apps/helpdesk/src/automation/helpdesk-events';
import { eventually, get, type Harness } from '../support/e2e-harness';
import { HelpdeskClient, type InboxDto } from '../support/helpdesk-client';
import { SandboxControl } from '../support/sandbox-control';
import { signInWithTiktok } from './browser';
import { signedInBrowsers } from './signed-in-browser';

interface Message {
  direction: string;
  content: string;
  author: { kind: string; name: string | null } | null;
}

/** Automation rules, satisfaction surveys and who wrote what, through the page. */
describe('Automation and satisfaction on the helpdesk page, in a real browser', () => {
  const browsers = signedInBrowsers({ width: 1280, height: 900 });
  let h: Harness;
  let sandbox: SandboxControl;
  let helpdesk: HelpdeskClient;
  let page: Page;
  let pageErrors: string[];
  let inbox: InboxDto;

  beforeEach(async () => {
    ({ h, page, pageErrors } = await browsers.open());
    sandbox = new SandboxControl(h.sandbox.url);
    helpdesk = new HelpdeskClient(h.url);
    await signInWithTiktok(page, h.url, h.sandbox.url, {
      username: 'autoshop',
      accountType: 'business',
      decision: 'approve',
    });
    [inbox] = await helpdesk.inboxes();
  });

  async function messagesOf(tiktokConversationId: string): Promise<Message[]> {
    const conversations = await helpdesk.conversations(inbox.id);
    const conversation = conversations.find((c) => c.contact.tiktokUserId !== undefined);
    void conversation;
    for (const candidate of conversations) {
      const messages = (await helpdesk.messages(candidate.id)) as unknown as Message[];
      const stored = await h.sql.query<{ id: string }>(
        `SELECT id FROM conversations WHERE id = $1 AND tiktok_conversation_id = $2`,
        [candidate.id, tiktokConversationId],
      );
      if (stored.rows.length > 0) return messages;
    }
    return [];
  }

  async function createRule(kind: 'auto_reply' | 'csat', content: string) {
    await page.getByRole('link', { name: 'Automation' }).click();
    await page.locator('#rules', { hasText: 'No rules yet.' }).waitFor();
    await page.getByLabel('Kind').selectOption(kind);
    await page.getByLabel('Message', { exact: true }).fill(content);
    await page.getByRole('button', { name: 'Create rule' }).click();
    const rule = page.locator('#rules li.rule');
    await rule.waitFor();
    expect(await rule.getByLabel('Message of the rule').inputValue()).toBe(content);
  }

  async function openConversation(contact: string) {
    await page.getByRole('link', { name: 'Conversations' }).click();
    await page.locator('#conversations').getByRole('button', { name: contact }).click();
    await page.locator('#thread-title', { hasText: contact }).waitFor();
  }

  it('sends the auto-reply inside the reply window, marked as one, and none outside it', async () => {
    await createRule('auto_reply', 'Thanks for writing! We answer within a day.');
    const rule = page.locator('#rules li.rule');
    expect(await rule.locator('.badge').textContent()).toBe('Enabled');

    const fresh = await sandbox.createUser('fresh.customer', 'fresh.customer');
    const inside = await sandbox.sendAsUser(fresh, inbox.channel.businessId, 'Hello!');
    await eventually(
      async () =>
        (await messagesOf(inside.conversationId)).some((m) => m.author?.kind === 'auto_reply'),
      'the auto-reply inside the window',
    );

    // Written three days ago, delivered only now: the 48-hour window is long closed.
    const late = await sandbox.createUser('late.customer', 'late.customer');
    const skipped = new Promise<AutomationSkippedEvent>((resolve) =>
      h.app
        .get(EventEmitter2)
        .on(HelpdeskEvents.AutomationSkipped, (event: AutomationSkippedEvent) => resolve(event)),
    );
    const outside = await sandbox.sendAsUser(late, inbox.channel.businessId, 'Old question', {
      timestamp: Date.now() - 3 * 24 * 3600 * 1000,
    });
    expect((await skipped).reason).toBe('reply_window_expired');
    expect((await messagesOf(outside.conversationId)).map((m) => m.direction)).toEqual([
      'incoming',
    ]);
    const customerSaw = await sandbox.conversation(outside.conversationId);
    expect(customerSaw.map((m) => m.from)).toEqual(['user']);

    await openConversation('fresh.customer');
    const reply = page.locator('#messages li.message-outgoing');
    expect(await reply.locator('.message-author').textContent()).toBe('Auto-reply');
    expect(await reply.locator('.message-text').textContent()).toBe(
      'Thanks for writing! We answer within a day.',
    );
    await openConversation('late.customer');
    await page.locator('#messages li.message-incoming', { hasText: 'Old question' }).waitFor();
    expect(await page.locator('#messages li.message-outgoing').count()).toBe(0);

    // Edit, disable and delete the rule on the automation page.
    await page.getByRole('link', { name: 'Automation' }).click();
    // Shown (the link is current), then loaded (no longer busy): the list is the fresh one.
    await page.locator('#views-nav a[data-view="automation"][aria-current="page"]').waitFor();
    await page.locator('#rules[aria-busy="false"] li.rule').waitFor();
    await rule.getByLabel('Message of the rule').fill('We answer within two hours.');
    await rule.getByRole('button', { name: 'Save' }).click();
    await eventually(async () => {
      const [saved] = await get<Array<{ content: string }>>(`${h.url}/api/automation-rules`);
      return saved.content === 'We answer within two hours.';
    }, 'the edited rule');
    await rule.getByRole('button', { name: 'Disable' }).click();
    await page.locator('#rules li.rule .badge', { hasText: 'Disabled' }).waitFor();
    await page.locator('#rules li.rule').getByRole('button', { name: 'Delete' }).click();
    await page.locator('#rules', { hasText: 'No rules yet.' }).waitFor();
    expect(pageErrors).toEqual([]);
  });

  it('records the customer’s 1–5 answer to the survey, shows it, and keeps the conversation resolved', async () => {
    await createRule('csat', 'How did we do? Reply with a number from 1 to 5.');
    const mia = await sandbox.createUser('mia.k', 'mia.k');
    const first = await sandbox.sendAsUser(mia, inbox.channel.businessId, 'Where is my parcel?');
    await eventually(
      async () => (await messagesOf(first.conversationId)).length === 1,
      'the question',
    );
    await openConversation('mia.k');

    // The agent answers (signed with their name), a colleague answers from the TikTok app.
    await page.getByLabel('Reply').fill('It left the warehouse today.');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('#messages .message-author', { hasText: 'Admin' }).waitFor();
    await sandbox.businessWritesInApp(first.conversationId, 'Tracking number: 1Z999');
    await page
      .locator('#messages li', { hasText: 'Tracking number: 1Z999' })
      .locator('.message-author', {
        hasText: 'Sent from the TikTok app',
      })
      .waitFor();

    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.locator('#conversation-csat', { hasText: 'Survey sent' }).waitFor();
    await page.locator('#messages .message-author', { hasText: 'Satisfaction survey' }).waitFor();

    await sandbox.sendAsUser(mia, inbox.channel.businessId, '5');
    await page.locator('#conversation-csat', { hasText: 'Rated 5/5' }).waitFor();
    expect(await page.locator('#conversation-status').textContent()).toBe('Resolved');
    expect(await page.getByRole('button', { name: 'Reopen' }).isVisible()).toBe(true);
    const [conversation] = await helpdesk.conversations(inbox.id);
    expect(conversation).toMatchObject({ status: 'resolved', csat: { rating: 5 } });

    await page.getByRole('link', { name: 'Satisfaction' }).click();
    const line = page.locator(`#csat-report tr[data-inbox-id="${inbox.id}"]`);
    await line.waitFor();
    expect(await line.locator('.csat-responses').textContent()).toBe('1');
    expect(await line.locator('.csat-average').textContent()).toBe('5.00 / 5');
    expect(await line.locator('.csat-distribution').textContent()).toBe('0 · 0 · 0 · 0 · 1');

    // Reopen from the page.
    await openConversation('mia.k');
    await page.getByRole('button', { name: 'Reopen' }).click();
    await page.locator('#conversation-status', { hasText: 'Open' }).waitFor();
    expect(pageErrors).toEqual([]);
  });

  it('lists every inbox’s conversations with a preview and an unread count', async () => {
    const ana = await sandbox.createUser('ana.b', 'ana.b');
    const sent = await sandbox.sendAsUser(ana, inbox.channel.businessId, 'Do you ship to Norway?');
    await eventually(
      async () => (await messagesOf(sent.conversationId)).length === 1,
      'the message',
    );

    await page.locator('#inboxes').getByRole('button', { name: 'All inboxes' }).click();
    const item = page.locator('#conversations li.conversation', { hasText: 'ana.b' });
    await item.waitFor();
    expect(await item.locator('.item-preview').textContent()).toBe('Do you ship to Norway?');
    expect(await item.locator('.badge-unread').textContent()).toBe('1');
    expect(await item.locator('.item-sub').textContent()).toMatch(/^TikTok @autoshop · /);

    await item.getByRole('button', { name: 'ana.b' }).click();
    await eventually(
      async () => (await helpdesk.conversations(inbox.id))[0]?.unreadCount === 0 || undefined,
      'read',
    );
    await page
      .locator('#conversations li.conversation .badge-unread')
      .waitFor({ state: 'detached' });
    expect(pageErrors).toEqual([]);
  });
});
