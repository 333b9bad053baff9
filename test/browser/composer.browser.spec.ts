import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { eventually, type Harness } from '../support/e2e-harness';
import { HelpdeskClient, type InboxDto } from '../support/helpdesk-client';
import { SandboxControl } from '../support/sandbox-control';
import { SandboxOutbound } from '../support/sandbox-outbound';
import { signInWithTiktok } from './browser';
import { signedInBrowsers } from './signed-in-browser';

describe('The reply composer in a real browser', () => {
  const browsers = signedInBrowsers();
  let h: Harness;
  let sandbox: SandboxControl;
  let outbound: SandboxOutbound;
  let helpdesk: HelpdeskClient;
  let page: Page;
  let pageErrors: string[];

  beforeEach(async () => {
    ({ h, page, pageErrors } = await browsers.open());
    sandbox = new SandboxControl(h.sandbox.url);
    outbound = new SandboxOutbound(h.sandbox.url);
    helpdesk = new HelpdeskClient(h.url);
  });

  async function connectAndReceive(
    username: string,
  ): Promise<{ inbox: InboxDto; conversationId: string; userId: string }> {
    await signInWithTiktok(page, h.url, h.sandbox.url, {
      username: 'composershop',
      accountType: 'business',
      decision: 'approve',
    });
    const [inbox] = await helpdesk.inboxes();
    const userId = await sandbox.createUser(username, username);
    const sent = await sandbox.sendAsUser(userId, inbox.channel.businessId, 'Can I see a photo?');
    await eventually(async () => {
      const [conversation] = await helpdesk.conversations(inbox.id);
      if (!conversation) return false;
      return (await helpdesk.messages(conversation.id)).some(
        (m) => m.externalId === sent.messageId,
      );
    }, 'the customer’s message to reach the helpdesk');
    await page.reload();
    await page.locator('#conversations').getByRole('button', { name: username }).click();
    await page.locator('#thread-title', { hasText: username }).waitFor();
    return { inbox, conversationId: sent.conversationId, userId };
  }

  it('attaches an image with a preview and the TikTok user receives it as an image', async () => {
    const { conversationId } = await connectAndReceive('photo.fan');
    const png = await sharp({ create: { width: 120, height: 80, channels: 3, background: '#e33' } })
      .png()
      .toBuffer();

    await page.locator('#reply-files').setInputFiles({
      name: 'red.png',
      mimeType: 'image/png',
      buffer: png,
    });
    const preview = page.locator('#reply-previews li', { hasText: 'red.png' });
    await preview.locator('img').waitFor();
    expect(await preview.locator('img').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    await page.getByLabel('Reply').fill('Here it is');
    await page.getByRole('button', { name: 'Send' }).click();

    const reply = page.locator('#messages li.message-outgoing', { hasText: 'Here it is' });
    await reply.locator('.message-meta', { hasText: / · Sent$/ }).waitFor();
    await reply.locator('.parts li', { hasText: 'Image: Sent' }).waitFor();
    expect(await reply.locator('.attachment img').count()).toBe(1);
    expect(await page.locator('#reply-previews li').count()).toBe(0);

    // The person's view in the sandbox shows the text, then the image, with its bytes.
    const items = await outbound.fromBusiness(conversationId);
    expect(items.map((item) => item.type)).toEqual(['text', 'image']);
    const media = await outbound.media(items[1].mediaId as string);
    expect(media.contentType).toBe('image/png');
    expect(await sharp(media.bytes).metadata()).toMatchObject({ width: 120, height: 80 });
    expect(pageErrors).toEqual([]);
  });

  it('marks the conversation read when it opens and shows the customer that the agent is typing', async () => {
    const { conversationId } = await connectAndReceive('typing.fan');

    await eventually(
      async () =>
        (await outbound.senderActions(conversationId)).some((a) => a.action === 'MARK_READ'),
      'the conversation to be marked read',
    );
    await page.getByLabel('Reply').pressSequentially('Let me check');

    await eventually(
      async () => (await outbound.senderActions(conversationId)).some((a) => a.action === 'TYPING'),
      'the typing indicator',
    );
    expect(pageErrors).toEqual([]);
  });

  it('shows why a part failed and sends it again with Retry', async () => {
    const { conversationId } = await connectAndReceive('retry.fan');
    await page.getByLabel('Reply').fill('Will this arrive?');
    // Sender actions use the send path too: let "read" and "typing" through before the fault.
    await eventually(async () => {
      const actions = (await outbound.senderActions(conversationId)).map((a) => a.action);
      return actions.includes('MARK_READ') && actions.includes('TYPING');
    }, 'read and typing');
    await outbound.fault({ path: '/business/message/send/', code: 40002 });

    await page.getByRole('button', { name: 'Send' }).click();

    const reply = page.locator('#messages li.message-outgoing', { hasText: 'Will this arrive?' });
    const part = reply.locator('.parts li.part-failed');
    await part.waitFor();
    expect(await part.textContent()).toMatch(/^Text: Not sent — TikTok refused the message/);
    await reply.getByRole('button', { name: 'Retry' }).click();

    await reply.locator('.message-meta', { hasText: / · Sent$/ }).waitFor();
    expect(await reply.getByRole('button', { name: 'Retry' }).count()).toBe(0);
    expect((await outbound.fromBusiness(conversationId)).map((item) => item.text)).toEqual([
      'Will this arrive?',
    ]);
    expect(pageErrors).toEqual([]);
  });

  it('disables the composer with the reason while the account needs reconnecting', async () => {
    await connectAndReceive('blocked.fan');
    await h.sql.query(`UPDATE tiktok_accounts SET status = 'reauthorization_required'`);

    await page.reload();
    await page.locator('#conversations').getByRole('button', { name: 'blocked.fan' }).click();

    const blocked = page.locator('#composer-blocked');
    await blocked.waitFor();
    expect(await blocked.textContent()).toMatch(/must be reconnected/);
    expect(await page.getByLabel('Reply').isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Attach' }).isDisabled()).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it('disables the composer with the reason once TikTok’s reply window closed', async () => {
    await connectAndReceive('late.fan');
    await h.sql.query(
      `UPDATE tiktok_conversations SET last_inbound_at = now() - interval '3 days'`,
    );
    await h.sql.query(
      `INSERT INTO tiktok_outbound_messages
         (account_id, conversation_id, host_message_id, part_index, message_type, body, status, tiktok_message_id)
       SELECT c.account_id, c.id, 'followup-' || n, 0, 'TEXT', 'follow-up', 'sent', 'followup-id-' || n
         FROM tiktok_conversations c, generate_series(1, 3) n`,
    );

    await page.reload();
    await page.locator('#conversations').getByRole('button', { name: 'late.fan' }).click();

    const blocked = page.locator('#composer-blocked');
    await blocked.waitFor();
    expect(await blocked.textContent()).toMatch(/48 hours/);
    expect(await page.getByLabel('Reply').isDisabled()).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
