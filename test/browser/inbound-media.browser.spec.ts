import type { Page } from 'playwright-core';
import { TIKTOK_HELPDESK_PORT, type TiktokHelpdeskPort } from 'tiktok-channel';
import { eventually, type Harness } from '../support/e2e-harness';
import { HelpdeskClient } from '../support/helpdesk-client';
import { SandboxControl } from '../support/sandbox-control';
import { SandboxInbound } from '../support/sandbox-inbound';
import { signInWithTiktok } from './browser';
import { signedInBrowsers } from './signed-in-browser';

interface Ids {
  inboxId: string;
  contactId: string;
  conversationId: string;
}

describe('Inbound TikTok media and message details in the conversation view (real browser)', () => {
  const browsers = signedInBrowsers({ width: 1280, height: 900 });
  let h: Harness;
  let helpdesk: HelpdeskClient;
  let page: Page;
  let pageErrors: string[];
  let port: TiktokHelpdeskPort;

  beforeEach(async () => {
    ({ h, page, pageErrors } = await browsers.open());
    helpdesk = new HelpdeskClient(h.url);
    port = h.app.get<symbol, TiktokHelpdeskPort>(TIKTOK_HELPDESK_PORT, { strict: false });
  });

  /** A connected account and a conversation started by the customer through the sandbox. */
  async function conversationWith(username: string): Promise<Ids> {
    await signInWithTiktok(page, h.url, h.sandbox.url, {
      username: 'mediashop',
      accountType: 'business',
      decision: 'approve',
    });
    const [inbox] = await helpdesk.inboxes();
    const sandbox = new SandboxControl(h.sandbox.url);
    const userId = await sandbox.createUser(username, username);
    const sent = await sandbox.sendAsUser(userId, inbox.channel.businessId, 'Look at this');
    const conversation = await eventually(async () => {
      const [found] = await helpdesk.conversations(inbox.id);
      if (!found) return false;
      const messages = await helpdesk.messages(found.id);
      return messages.some((m) => m.externalId === sent.messageId) ? found : false;
    }, 'the first message to reach the helpdesk');
    return {
      inboxId: inbox.id,
      contactId: conversation.contact.id,
      conversationId: conversation.id,
    };
  }

  async function open(ids: Ids): Promise<void> {
    // The page is already open after signing in: a new hash alone would not reload it.
    await page.goto(`${h.url}/#inbox=${ids.inboxId}&conversation=${ids.conversationId}`);
    await page.reload();
    await page.locator('#thread-title', { hasText: 'media.fan' }).waitFor();
  }

  it('shows an inbound image inline and plays an inbound video, both sent through TikTok', async () => {
    const ids = await conversationWith('media.fan');
    const inbound = new SandboxInbound(h.sandbox.url);
    const [inbox] = await helpdesk.inboxes();
    const userId = (await helpdesk.conversations(inbox.id))[0].contact.tiktokUserId;
    const sentImage = await inbound.send({
      fromUserId: userId,
      toBusinessId: inbox.channel.businessId,
      type: 'image',
      media: { format: 'png' },
    });
    const sentVideo = await inbound.send({
      fromUserId: userId,
      toBusinessId: inbox.channel.businessId,
      type: 'video',
    });
    // The library fetched both through media/download and the helpdesk stored the bytes.
    await eventually(async () => {
      const messages = await helpdesk.messages(ids.conversationId);
      return [sentImage.messageId, sentVideo.messageId].every((id) =>
        messages.some((m) => m.externalId === id && m.attachments[0]?.url),
      );
    }, 'the image and the video to be stored');

    await open(ids);

    // The test compiles without the DOM's types: what runs in the page is given as source text.
    const image = page.locator('li.message-incoming .attachment-image img');
    await image.waitFor();
    await page.waitForFunction(
      `(() => { const img = document.querySelector('.attachment-image img');
        return !!img && img.complete && img.naturalWidth > 0; })()`,
      undefined,
      { timeout: 10_000 },
    );
    expect(
      await page.evaluate(
        `(() => { const img = document.querySelector('.attachment-image img'); return [img.naturalWidth, img.naturalHeight]; })()`,
      ),
    ).toEqual([64, 48]);

    const video = page.locator('li.message-incoming .attachment-video video');
    await video.waitFor();
    expect(await video.getAttribute('controls')).toBe('');
    // The browser fetched the video through the helpdesk and decoded its frame size.
    await page.waitForFunction(
      `(() => { const v = document.querySelector('.attachment-video video');
        return !!v && v.readyState >= 1 && v.videoWidth > 0; })()`,
      undefined,
      { timeout: 10_000 },
    );
    expect(
      await page.evaluate(
        `(() => { const v = document.querySelector('.attachment-video video'); return [v.videoWidth, v.videoHeight]; })()`,
      ),
    ).toEqual([64, 64]);
    expect(pageErrors).toEqual([]);
  });

  it('shows stickers, share-post cards, reactions, quotes, referral notes, unknown types and replies typed in the TikTok app, all as text', async () => {
    const ids = await conversationWith('media.fan');
    const hostile = '<img src=x onerror="window.__pwned=1">';
    const at = (minute: number) => new Date(Date.now() + minute * 60_000);
    await port.appendNote!({
      ...ids,
      key: 'referral:1',
      kind: 'referral',
      text: `Came from the ad ${hostile}`,
      at: at(0.5),
    });
    await port.appendMessage({
      direction: 'incoming',
      ...ids,
      tiktokMessageId: 'msg_post',
      content: '',
      attachments: [
        { kind: 'share_post', url: 'https://www.tiktok.com/@shop/video/7301', videoId: '7301' },
      ],
      sentAt: at(1),
      tiktokType: 'share_post',
    });
    await port.appendMessage({
      direction: 'incoming',
      ...ids,
      tiktokMessageId: 'msg_sticker',
      content: '',
      attachments: [{ kind: 'sticker', url: 'javascript:alert(1)' }],
      sentAt: at(2),
      tiktokType: 'sticker',
    });
    await port.appendMessage({
      direction: 'incoming',
      ...ids,
      tiktokMessageId: 'msg_quote',
      content: `Is this in blue? ${hostile}`,
      attachments: [],
      sentAt: at(3),
      tiktokType: 'text',
      replyTo: { tiktokMessageId: 'msg_post' },
    });
    await port.applyReaction!({
      ...ids,
      tiktokMessageId: 'msg_quote',
      by: 'customer',
      operation: 'add',
      emoji: '❤️',
      at: at(4),
    });
    await port.appendMessage({
      direction: 'incoming',
      ...ids,
      tiktokMessageId: 'msg_holo',
      content: '',
      attachments: [],
      sentAt: at(5),
      tiktokType: 'hologram',
      raw: { hologram: {} },
    });
    await port.appendMessage({
      direction: 'outgoing',
      ...ids,
      tiktokMessageId: 'msg_echo',
      content: 'Yes, it comes in blue',
      attachments: [],
      sentAt: at(6),
      tiktokType: 'text',
    });

    await open(ids);

    const note = page.locator('#messages li.note-referral');
    await note.waitFor();
    expect(await note.locator('.note-text').textContent()).toBe(`Came from the ad ${hostile}`);
    // The note sits before the message that came after it.
    const order = await page
      .locator('#messages > li')
      .evaluateAll((items) =>
        items.map((item) => (item.getAttribute('data-message-id') ? 'message' : item.className)),
      );
    expect(order.indexOf('note note-referral')).toBe(1);

    const card = page.locator('.share-card');
    expect(await card.locator('.card-title').textContent()).toBe('Shared TikTok post');
    expect(await card.getByRole('link', { name: 'Open in TikTok' }).getAttribute('href')).toBe(
      'https://www.tiktok.com/@shop/video/7301',
    );

    // A sticker whose URL is not a web URL is not loaded.
    expect(await page.locator('[data-kind="sticker"] img').count()).toBe(0);
    await page.locator('[data-kind="sticker"]', { hasText: 'could not be kept' }).waitFor();

    const quoted = page.locator('li.message', { hasText: 'Is this in blue?' });
    expect(await quoted.locator('.message-text').textContent()).toBe(`Is this in blue? ${hostile}`);
    expect(await quoted.locator('.message-quote .quote-label').textContent()).toBe('Replying to');
    expect(await quoted.locator('.reactions .reaction').allTextContents()).toEqual(['❤️']);

    await page
      .locator('.message-unknown', {
        hasText: 'This TikTok message (hologram) cannot be shown here. Open TikTok to see it.',
      })
      .waitFor();

    const echo = page.locator('li.message-outgoing', { hasText: 'Yes, it comes in blue' });
    // Once, whichever part of the page marks where it was written.
    expect(await echo.getByText('Sent from the TikTok app').count()).toBe(1);

    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await page.locator('#messages img[src="x"]').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
