import { EventEmitter2 } from '@nestjs/event-emitter';
import type { EchoMessage, InboundMessage } from '../../libs/tiktok-channel/src';
import { InboundProcessor, signTiktokPayload } from '../../libs/tiktok-channel/src/testing';
import { followRedirects } from '../support/e2e-harness';
import { startLibraryHost, type LibraryHost } from '../support/library-host';
import { SandboxControl } from '../support/sandbox-control';
import {
  MP4_HEADER,
  PNG_1X1,
  startHistoryFake,
  type HistoryFake,
} from '../support/tiktok-history-fake';

const T0 = 1764000000000;

/** JSON with bigint values written as bare digits: TikTok's numeric ids, beyond JS precision. */
function bigJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? `__big:${v.toString()}__` : v,
  ).replace(/"__big:(-?\d+)__"/g, '$1');
}
const CAP = 64 * 1024;

/**
 * Every inbound TikTok type, in the shapes TikTok really sends, as the host port receives it.
 * Media comes through `media/download` (a small fake of it; the sandbox serves the rest).
 */
describe('Every inbound TikTok type reaches the host through the port', () => {
  let host: LibraryHost;
  let fake: HistoryFake;
  let businessId: string;
  let processor: InboundProcessor;
  const published: Array<{ name: string; payload: Record<string, unknown> }> = [];
  let seq = 0;

  beforeAll(async () => {
    fake = await startHistoryFake();
    host = await startLibraryHost('forRoot', {
      options: { httpClient: fake.httpClient, maxInboundAttachmentBytes: CAP },
    });
    await new SandboxControl(host.sandbox.url).queueConsent('typeshop', 'business', 'approve');
    await followRedirects(`${host.url}/tiktok/oauth/authorize`);
    const { rows } = await host.db.query(`SELECT business_id FROM tiktok_accounts`);
    businessId = rows[0].business_id;
    processor = host.app.get(InboundProcessor);
    host.app.get(EventEmitter2).onAny((name: string | string[], payload: unknown) => {
      published.push({ name: String(name), payload: payload as Record<string, unknown> });
    });
  });

  afterAll(async () => {
    await host?.close();
    await fake?.close();
  });

  /** A customer's message in conversation `conv` (sender `user_<conv>`), as a webhook content. */
  function customer(conv: string, fields: Record<string, unknown>): Record<string, unknown> {
    seq++;
    return {
      conversation_id: conv,
      message_id: `m-${seq}`,
      timestamp: T0 + seq * 1000,
      from: 'fan',
      to: 'typeshop',
      from_user: { id: `user_${conv}`, role: 'personal_account' },
      to_user: { id: businessId, role: 'business_account' },
      ...fields,
    };
  }

  async function deliver(
    content: Record<string, unknown>,
    event = 'im_receive_msg',
    asString = true,
  ): Promise<void> {
    const body = Buffer.from(
      bigJson({
        client_key: 'app',
        event,
        create_time: Math.floor(T0 / 1000),
        user_openid: businessId,
        content: asString ? bigJson(content) : content,
      }),
    );
    const response = await fetch(`${host.url}/tiktok/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'tiktok-signature': signTiktokPayload(host.appSecret, Math.floor(Date.now() / 1000), body),
      },
      body,
    });
    expect(response.status).toBe(200);
    await processor.settle();
  }

  const landed = (id: string) => host.port.messages.get(id)?.message;

  async function eventRow(messageId: string) {
    const { rows } = await host.db.query(
      `SELECT status, attempts, last_error, intake_note FROM tiktok_webhook_events WHERE dedupe_key LIKE $1`,
      [`%:${messageId}`],
    );
    return rows[0];
  }

  it('lands a text with numeric ids and a timestamp in seconds, with string ids and the right date', async () => {
    await deliver({
      ...customer('c-num', { type: 'text', text: { body: 'numbers' } }),
      message_id: 7301234567890123456n,
      conversation_id: 'c-num',
      timestamp: Math.floor(T0 / 1000) + 5,
      from_user: { id: 6801234567890123456n, role: 'personal_account' },
    });
    const message = landed('7301234567890123456') as InboundMessage;
    expect(message).toMatchObject({ content: 'numbers', tiktokType: 'text' });
    expect(message.sentAt.getTime()).toBe(T0 + 5000);
    const contact = host.port.calls.find(
      (c) =>
        c.method === 'upsertContact' &&
        (c.args as { tiktokUserId: string }).tiktokUserId === '6801234567890123456',
    );
    expect(contact).toBeDefined();
  });

  it('takes the sender from unique_identifier when there is no from_user', async () => {
    const content = customer('c-uid', { type: 'text', text: { body: 'who am i' } });
    delete content.from_user;
    content.unique_identifier = 'user_uid_only';
    await deliver(content);
    expect(landed(content.message_id as string)).toMatchObject({ content: 'who am i' });
    expect(host.port.calls).toContainEqual(
      expect.objectContaining({
        method: 'upsertContact',
        args: expect.objectContaining({ tiktokUserId: 'user_uid_only' }),
      }),
    );
  });

  it('reads REST casing and content given as an object', async () => {
    const content = customer('c-rest', { type: 'TEXT', text: { body: 'upper case' } });
    await deliver(content, 'im_receive_msg', false);
    expect(landed(content.message_id as string)).toMatchObject({ content: 'upper case' });
  });

  it('downloads an image through media/download and streams it into the host storage', async () => {
    fake.media.set('media-png', { contentType: 'image/png', bytes: PNG_1X1 });
    const content = customer('c-media', { type: 'image', image: { media_id: 'media-png' } });
    await deliver(content);
    const message = landed(content.message_id as string) as InboundMessage;
    expect(message.attachments).toEqual([
      expect.objectContaining({
        kind: 'image',
        tiktokMediaId: 'media-png',
        contentType: 'image/png',
        size: PNG_1X1.length,
        fileName: `${content.message_id}-0.png`,
        url: expect.stringContaining('/files/'),
      }),
    ]);
    expect(host.port.attachments.get(`${content.message_id}/0`)?.bytes.equals(PNG_1X1)).toBe(true);
    const download = fake.requests.find((r) => r.path === '/business/message/media/download/');
    expect(download?.body).toMatchObject({
      business_id: businessId,
      conversation_id: 'c-media',
      message_id: content.message_id,
      media_id: 'media-png',
      media_type: 'IMAGE',
    });
    expect(fake.requests.find((r) => r.path.startsWith('/files/'))?.xUser).toBeTruthy();
  });

  it('downloads a video (uppercase VIDEO type) into the host storage', async () => {
    fake.media.set('media-mp4', { contentType: 'video/mp4', bytes: MP4_HEADER, chunked: true });
    const content = customer('c-media', { type: 'VIDEO', video: { media_id: 'media-mp4' } });
    await deliver(content);
    const message = landed(content.message_id as string) as InboundMessage;
    expect(message.attachments[0]).toMatchObject({
      kind: 'video',
      contentType: 'video/mp4',
      size: MP4_HEADER.length,
    });
    expect(host.port.attachments.get(`${content.message_id}/0`)?.bytes.equals(MP4_HEADER)).toBe(
      true,
    );
  });

  it('keeps the message but not the bytes of a video over the byte cap, announced or not', async () => {
    fake.media.set('big-announced', { contentType: 'video/mp4', bytes: Buffer.alloc(CAP + 1) });
    fake.media.set('big-chunked', {
      contentType: 'video/mp4',
      bytes: Buffer.alloc(CAP * 3),
      chunked: true,
    });
    for (const mediaId of ['big-announced', 'big-chunked']) {
      const content = customer('c-media', { type: 'video', video: { media_id: mediaId } });
      await deliver(content);
      const message = landed(content.message_id as string) as InboundMessage;
      expect(message.attachments[0]).toMatchObject({
        kind: 'video',
        tiktokMediaId: mediaId,
        unavailableReason: expect.stringContaining(`${CAP}-byte cap`),
      });
      expect(host.port.attachments.has(`${content.message_id}/0`)).toBe(false);
      expect((await eventRow(content.message_id as string)).status).toBe('processed');
    }
  });

  it('retries the whole event when the host storage fails, and lands it once storage is back', async () => {
    fake.media.set('media-retry', { contentType: 'image/png', bytes: PNG_1X1 });
    host.port.failNextStores = 1;
    const content = customer('c-store', { type: 'image', image: { media_id: 'media-retry' } });
    await deliver(content);
    expect(landed(content.message_id as string)).toBeUndefined();
    expect(await eventRow(content.message_id as string)).toMatchObject({
      status: 'pending',
      attempts: 1,
    });
    await host.db.query(`UPDATE tiktok_webhook_events SET next_attempt_at = now()`);
    await processor.settle();
    expect((landed(content.message_id as string) as InboundMessage).attachments[0].size).toBe(
      PNG_1X1.length,
    );
  });

  it('hands stickers and emoji over by URL', async () => {
    const sticker = customer('c-misc', {
      type: 'sticker',
      sticker: { url: 'https://p.tiktok/s.webp' },
    });
    const emoji = customer('c-misc', { type: 'emoji', emoji: { url: 'https://p.tiktok/e.png' } });
    await deliver(sticker);
    await deliver(emoji);
    expect((landed(sticker.message_id as string) as InboundMessage).attachments).toEqual([
      { kind: 'sticker', url: 'https://p.tiktok/s.webp' },
    ]);
    expect((landed(emoji.message_id as string) as InboundMessage).attachments).toEqual([
      { kind: 'emoji', url: 'https://p.tiktok/e.png' },
    ]);
  });

  it('makes a share_post a link card, from embed_url or built from video_id', async () => {
    const withUrl = customer('c-misc', {
      type: 'share_post',
      share_post: { embed_url: 'https://www.tiktok.com/embed/v2/111', video_id: '111' },
    });
    const idOnly = customer('c-misc', {
      type: 'SHARE_POST',
      share_post: { video_id: 7300000000000000222n },
    });
    await deliver(withUrl);
    await deliver(idOnly);
    expect(landed(withUrl.message_id as string)).toMatchObject({
      content: 'https://www.tiktok.com/embed/v2/111',
      attachments: [
        { kind: 'share_post', url: 'https://www.tiktok.com/embed/v2/111', videoId: '111' },
      ],
    });
    expect(landed(idOnly.message_id as string)).toMatchObject({
      content: 'https://www.tiktok.com/embed/v2/7300000000000000222',
      attachments: [{ kind: 'share_post', videoId: '7300000000000000222' }],
    });
  });

  it('makes template and button replies readable as text', async () => {
    const content = customer('c-misc', {
      type: 'template',
      template: {
        type: 'QA_BUTTON_CARD',
        elements: [
          {
            title: 'Track my order',
            buttons: [
              { text: 'Yes', type: 'REPLY', id: 'b1' },
              { text: 'No', type: 'REPLY', id: 'b2' },
            ],
          },
        ],
      },
    });
    await deliver(content);
    expect(landed(content.message_id as string)).toMatchObject({
      content: 'Track my order [Yes] [No]',
    });
  });

  it('links a quoted reply and keeps is_follower and auto_message_type', async () => {
    const content = customer('c-misc', {
      type: 'text',
      text: { body: 'this one' },
      referenced_message_info: { referenced_message_id: 'm-quoted' },
      is_follower: 'true',
      auto_message_type: 'WELCOME',
    });
    await deliver(content);
    expect(landed(content.message_id as string)).toMatchObject({
      replyTo: { tiktokMessageId: 'm-quoted' },
      isFollower: true,
      autoMessageType: 'WELCOME',
    });
  });

  it('shows an unknown type as a placeholder pointing to TikTok, with the raw content', async () => {
    const content = customer('c-misc', { type: 'hologram', hologram: { depth: 3 } });
    await deliver(content);
    const message = landed(content.message_id as string) as InboundMessage;
    expect(message.content).toMatch(/open the conversation in TikTok/);
    expect(message.tiktokType).toBe('hologram');
    expect(message.raw).toMatchObject({ hologram: { depth: 3 } });
  });

  it('applies a reaction to its message without a new message, without message.received, without reopening the window', async () => {
    const target = customer('c-react', { type: 'text', text: { body: 'react to me' } });
    await deliver(target);
    const before = await host.db.query(
      `SELECT last_inbound_at FROM tiktok_conversations WHERE tiktok_conversation_id = 'c-react'`,
    );
    const appendsBefore = host.port.appended().length;
    const receivedBefore = published.filter((p) => p.name === 'tiktok.message.received').length;
    const reaction = customer('c-react', {
      type: 'reaction',
      timestamp: T0 + 10_000_000,
      reaction: [
        {
          operation: 'ADD',
          type: 'like',
          emoji: '❤️',
          original_msg_id: target.message_id,
          timestamp: T0 + 10_000_000,
        },
      ],
    });
    await deliver(reaction);
    expect(host.port.reactions).toEqual([
      expect.objectContaining({
        tiktokMessageId: target.message_id,
        by: 'customer',
        operation: 'add',
        emoji: '❤️',
      }),
    ]);
    expect(host.port.appended().length).toBe(appendsBefore);
    expect(published.filter((p) => p.name === 'tiktok.message.received').length).toBe(
      receivedBefore,
    );
    expect(published).toContainEqual(
      expect.objectContaining({
        name: 'tiktok.message.reaction',
        payload: expect.objectContaining({ applied: true, operation: 'add' }),
      }),
    );
    const after = await host.db.query(
      `SELECT last_inbound_at FROM tiktok_conversations WHERE tiktok_conversation_id = 'c-react'`,
    );
    expect(after.rows[0].last_inbound_at).toEqual(before.rows[0].last_inbound_at);
  });

  it('shows a referral as a note and an event', async () => {
    await deliver(
      {
        conversation_id: 'c-ref',
        from_user: { id: 'user_c-ref', role: 'personal_account' },
        timestamp: T0 + 1,
        referral: { source: 'AD', ad_id: 'ad-77', ad_name: 'Spring sale' },
      },
      'im_referral_msg',
    );
    const notes = [...host.port.notes.values()].filter((n) => n.kind === 'referral');
    expect(notes).toHaveLength(1);
    expect(notes[0].text).toMatch(/came from an ad/);
    expect(notes[0].data).toMatchObject({ ad_id: 'ad-77', source: 'AD' });
    expect(published).toContainEqual(
      expect.objectContaining({
        name: 'tiktok.conversation.referral',
        payload: expect.objectContaining({ tiktokConversationId: 'c-ref' }),
      }),
    );
  });

  it('shows a reply typed in the TikTok app, with no to_user, as outgoing from the app', async () => {
    await deliver(customer('c-echo', { type: 'text', text: { body: 'hello shop' } }));
    seq++;
    const fromApp = {
      conversation_id: 'c-echo',
      message_id: `m-${seq}`,
      timestamp: T0 + seq * 1000,
      type: 'text',
      text: { body: 'typed on my phone' },
      from_user: { id: businessId, role: 'business_account' },
    };
    await deliver(fromApp, 'im_send_msg');
    expect(landed(fromApp.message_id)).toMatchObject({
      direction: 'outgoing',
      content: 'typed on my phone',
      sentFrom: 'tiktok_app',
    } satisfies Partial<EchoMessage>);
    seq++;
    const fromWeb = { ...fromApp, message_id: `m-${seq}`, message_tag: { source: 'WEB' } };
    await deliver(fromWeb, 'im_send_msg');
    expect(landed(fromWeb.message_id)).toMatchObject({ sentFrom: 'tiktok_web' });
  });

  it("marks our replies read only on the customer's receipt, up to the time it carries", async () => {
    await deliver(customer('c-read', { type: 'text', text: { body: 'read me' } }));
    await host.db.query(
      `INSERT INTO tiktok_outbound_messages (account_id, conversation_id, host_message_id, part_index, message_type, body, status, tiktok_message_id, sent_at)
       SELECT account_id, tiktok_conversations.id, h.id, 0, 'TEXT', 'x', 'sent', 'tt-' || h.id, to_timestamp(h.at / 1000.0)
         FROM tiktok_conversations, (VALUES ('early', $1::bigint), ('late', $2::bigint)) AS h(id, at)
        WHERE tiktok_conversation_id = 'c-read'`,
      [T0 + 100_000_000, T0 + 200_000_000],
    );
    const receipt = (reader: string, at: number) => ({
      conversation_id: 'c-read',
      from_user: { id: reader },
      read: { last_read_timestamp: at },
    });
    await deliver(receipt(businessId, T0 + 300_000_000), 'im_mark_read_msg');
    expect(host.port.statuses.filter((s) => s.status === 'read')).toEqual([]);

    await deliver(receipt('user_c-read', T0 + 150_000_000), 'im_mark_read_msg');
    expect(host.port.statuses.filter((s) => s.status === 'read').map((s) => s.messageId)).toEqual([
      'early',
    ]);
  });

  it('never fails on a 9e15 timestamp: the message lands dated when it arrived, with a note', async () => {
    const content = customer('c-huge', {
      type: 'text',
      text: { body: 'far future' },
      timestamp: 9e15,
    });
    const before = Date.now();
    await deliver(content);
    const message = landed(content.message_id as string) as InboundMessage;
    expect(message.sentAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect((await eventRow(content.message_id as string)).intake_note).toMatch(/out of range/);
  });
});
