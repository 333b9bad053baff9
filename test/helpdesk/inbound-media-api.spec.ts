import { Readable } from 'node:stream';
import type { TiktokAccountView } from 'tiktok-channel';
import { startHelpdeskTestApp, type HelpdeskTestApp } from './support/helpdesk-test-app';

const account: TiktokAccountView = {
  accountId: 'acct-1',
  businessId: 'biz_shop',
  username: 'shopdemo',
  displayName: 'Shop',
  status: 'active',
  scopes: [],
  accessTokenExpiresAt: new Date('2030-01-01T00:00:00Z'),
  refreshTokenExpiresAt: new Date('2031-01-01T00:00:00Z'),
};

/** 1,000 bytes whose values say where they are, so a range can be checked byte for byte. */
const VIDEO = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

describe('the REST API for inbound media, reactions, quotes and notes', () => {
  let t: HelpdeskTestApp;
  let ids: { inboxId: string; contactId: string; conversationId: string };

  beforeAll(async () => {
    t = await startHelpdeskTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  beforeEach(async () => {
    await t.dataSource.query('TRUNCATE inboxes, contacts, conversations, messages CASCADE');
    const { inboxId } = await t.port.upsertInbox({ tenant: 'demo', account });
    const { contactId } = await t.port.upsertContact({ inboxId, tiktokUserId: 'user_1' });
    const { conversationId } = await t.port.openConversation({
      inboxId,
      contactId,
      tiktokConversationId: 'conv_1',
    });
    ids = { inboxId, contactId, conversationId };
  });

  async function storedVideo(): Promise<string> {
    const { url } = await t.port.storeAttachment({
      ...ids,
      tiktokMessageId: 'msg_video',
      index: 0,
      kind: 'video',
      contentType: 'video/mp4',
      fileName: 'clip.mp4',
      maxBytes: 10_000,
      body: Readable.from([VIDEO.subarray(0, 400), VIDEO.subarray(400)]),
    });
    return url;
  }

  async function messages(): Promise<Array<Record<string, unknown>>> {
    const response = await fetch(`${t.baseUrl}/api/conversations/${ids.conversationId}/messages`, {
      headers: t.auth,
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Array<Record<string, unknown>>;
  }

  it('serves a stored video whole, with its content type and length', async () => {
    const url = await storedVideo();

    const response = await fetch(`${t.baseUrl}${url}`, { headers: t.auth });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('video/mp4');
    expect(response.headers.get('content-length')).toBe('1000');
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(VIDEO);
  });

  it('serves nothing to someone who is not signed in, like the rest of the API', async () => {
    const url = await storedVideo();

    const response = await fetch(`${t.baseUrl}${url}`);
    const notes = await fetch(`${t.baseUrl}/api/conversations/${ids.conversationId}/notes`);

    expect(response.status).toBe(401);
    expect(notes.status).toBe(401);
  });

  it('answers a range request with exactly those bytes, as a video player seeks', async () => {
    const url = await storedVideo();

    const response = await fetch(`${t.baseUrl}${url}`, {
      headers: { ...t.auth, range: 'bytes=100-199' },
    });

    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe('bytes 100-199/1000');
    expect(response.headers.get('content-length')).toBe('100');
    expect(response.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(VIDEO.subarray(100, 200));
  });

  it('answers 416 with the real length for a range past the end', async () => {
    const url = await storedVideo();

    const response = await fetch(`${t.baseUrl}${url}`, {
      headers: { ...t.auth, range: 'bytes=5000-' },
    });

    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe('bytes */1000');
  });

  it('answers 404 for an attachment it does not have, and for an id that is not one', async () => {
    const unknown = await fetch(
      `${t.baseUrl}/api/inbound-attachments/0b0e9a8e-4a51-4c38-9d3e-000000000000`,
      { headers: t.auth },
    );
    const malformed = await fetch(`${t.baseUrl}/api/inbound-attachments/..%2F..%2Fetc%2Fpasswd`, {
      headers: t.auth,
    });

    expect(unknown.status).toBe(404);
    expect(malformed.status).toBe(404);
  });

  it('lists a message with its attachments (url, contentType, size beside the old fields), reactions, quote and type', async () => {
    const url = await storedVideo();
    await t.port.appendMessage({
      direction: 'incoming',
      ...ids,
      tiktokMessageId: 'msg_video',
      content: '',
      attachments: [
        {
          kind: 'video',
          url,
          mimeType: 'video/mp4',
          contentType: 'video/mp4',
          size: 1000,
          fileName: 'clip.mp4',
          tiktokMediaId: 'media_1',
        },
      ],
      sentAt: new Date('2026-11-25T10:00:00Z'),
      tiktokType: 'video',
    });
    await t.port.appendMessage({
      direction: 'incoming',
      ...ids,
      tiktokMessageId: 'msg_quote',
      content: 'Is this one in blue?',
      attachments: [],
      sentAt: new Date('2026-11-25T10:01:00Z'),
      tiktokType: 'text',
      replyTo: { tiktokMessageId: 'msg_video' },
    });
    await t.port.applyReaction({
      ...ids,
      tiktokMessageId: 'msg_video',
      by: 'customer',
      operation: 'add',
      emoji: '🔥',
      at: new Date('2026-11-25T10:02:00Z'),
    });

    const [video, quote] = await messages();

    expect(video).toMatchObject({
      externalId: 'msg_video',
      direction: 'incoming',
      tiktokType: 'video',
      attachments: [
        {
          kind: 'video',
          url,
          mimeType: 'video/mp4',
          contentType: 'video/mp4',
          size: 1000,
          fileName: 'clip.mp4',
          videoId: null,
          unavailableReason: null,
        },
      ],
      reactions: [{ emoji: '🔥', by: 'customer', at: '2026-11-25T10:02:00.000Z' }],
      replyTo: null,
    });
    expect(JSON.stringify(video)).not.toContain('media_1');
    expect(quote).toMatchObject({
      externalId: 'msg_quote',
      content: 'Is this one in blue?',
      reactions: [],
      replyTo: { externalId: 'msg_video', messageId: video.id, content: '' },
    });
  });

  it('shows a reaction that was processed before the message it targets, once the message is there', async () => {
    const early = await t.port.applyReaction({
      ...ids,
      tiktokMessageId: 'msg_slow',
      by: 'customer',
      operation: 'add',
      emoji: '👍',
      at: new Date('2026-11-25T10:00:00Z'),
    });
    await t.port.appendMessage({
      direction: 'incoming',
      ...ids,
      tiktokMessageId: 'msg_slow',
      content: 'here I am',
      attachments: [],
      sentAt: new Date('2026-11-25T10:00:00.500Z'),
    });

    const [message] = await messages();

    expect(early).toEqual({ applied: false });
    expect(message.reactions).toEqual([
      { emoji: '👍', by: 'customer', at: '2026-11-25T10:00:00.000Z' },
    ]);
  });

  it("does not show a reaction on another conversation's message with the same TikTok id", async () => {
    const { contactId } = await t.port.upsertContact({ inboxId: ids.inboxId, tiktokUserId: 'u2' });
    const other = await t.port.openConversation({
      inboxId: ids.inboxId,
      contactId,
      tiktokConversationId: 'conv_2',
    });
    await t.port.appendMessage({
      direction: 'incoming',
      ...ids,
      tiktokMessageId: 'msg_here',
      content: 'mine',
      attachments: [],
      sentAt: new Date('2026-11-25T10:00:00Z'),
    });
    await t.port.applyReaction({
      ...ids,
      conversationId: other.conversationId,
      tiktokMessageId: 'msg_here',
      by: 'customer',
      operation: 'add',
      emoji: '👎',
      at: new Date('2026-11-25T10:01:00Z'),
    });

    const [message] = await messages();

    expect(message.reactions).toEqual([]);
  });

  it('shows a quote of a message the helpdesk never got, without inventing it', async () => {
    await t.port.appendMessage({
      direction: 'incoming',
      ...ids,
      tiktokMessageId: 'msg_q',
      content: 'as I said',
      attachments: [],
      sentAt: new Date('2026-11-25T10:01:00Z'),
      replyTo: { tiktokMessageId: 'msg_before_connect' },
    });

    const [quote] = await messages();

    expect(quote.replyTo).toEqual({
      externalId: 'msg_before_connect',
      messageId: null,
      content: null,
    });
  });

  it('marks a reply typed in the TikTok app', async () => {
    await t.port.appendMessage({
      direction: 'outgoing',
      ...ids,
      tiktokMessageId: 'echo_1',
      content: 'Yes, in blue too',
      attachments: [],
      sentAt: new Date('2026-11-25T10:03:00Z'),
    });

    const [echo] = await messages();

    expect(echo).toMatchObject({ direction: 'outgoing', status: 'sent', sentFrom: 'tiktok_app' });
  });

  it("lists the conversation's notes in their own list, oldest first", async () => {
    await t.port.appendNote({
      ...ids,
      key: 'gap:1',
      kind: 'history_gap',
      text: 'Some messages may be missing',
      at: new Date('2026-11-25T11:00:00Z'),
    });
    await t.port.appendNote({
      ...ids,
      key: 'referral:1',
      kind: 'referral',
      text: 'Came from the ad "Winter sale"',
      data: { adId: 'ad_9' },
      at: new Date('2026-11-25T09:00:00Z'),
    });

    const response = await fetch(`${t.baseUrl}/api/conversations/${ids.conversationId}/notes`, {
      headers: t.auth,
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([
      {
        id: expect.any(String),
        kind: 'referral',
        text: 'Came from the ad "Winter sale"',
        data: { adId: 'ad_9' },
        at: '2026-11-25T09:00:00.000Z',
      },
      {
        id: expect.any(String),
        kind: 'history_gap',
        text: 'Some messages may be missing',
        data: null,
        at: '2026-11-25T11:00:00.000Z',
      },
    ]);
  });

  it('answers 404 for the notes of a conversation that does not exist', async () => {
    const response = await fetch(`${t.baseUrl}/api/conversations/not-a-conversation/notes`, {
      headers: t.auth,
    });

    expect(response.status).toBe(404);
  });
});
