import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { RunningSandbox } from 'tiktok-sandbox';
import {
  TokenData,
  api,
  connectAccount,
  control,
  createUser,
  startTestSandbox,
} from './sandbox-kit';

interface Created {
  conversationId: string;
  messageId: string;
  mediaId: string;
}

interface MediaStats {
  urls: number;
  served: number;
  refused: number;
}

const VIDEO_FIXTURE = join(__dirname, '../../apps/tiktok-sandbox/fixtures/sample.mp4');

describe('TikTok sandbox media/download and its download URLs', () => {
  let sandbox: RunningSandbox;
  let shop: TokenData;
  let other: TokenData;
  let mia: string;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });
  afterAll(() => sandbox.close());
  beforeEach(async () => {
    await control(sandbox, 'POST', '/sandbox/reset');
    shop = await connectAccount(sandbox, 'shopdemo');
    other = await connectAccount(sandbox, 'othershop');
    mia = await createUser(sandbox, 'mia.k');
  });

  async function personSends(body: Record<string, unknown>): Promise<Created> {
    const { status, body: created } = await control<Created>(sandbox, 'POST', '/sandbox/messages', {
      fromUserId: mia,
      toBusinessId: shop.open_id,
      ...body,
    });
    expect(status).toBe(201);
    return created;
  }

  function downloadCall(created: Created, overrides: Record<string, unknown> = {}, token = shop) {
    return api<{ download_url: string }>(sandbox, 'POST', 'business/message/media/download/', {
      token: token.access_token,
      body: {
        business_id: token.open_id,
        conversation_id: created.conversationId,
        message_id: created.messageId,
        media_id: created.mediaId,
        media_type: 'IMAGE',
        ...overrides,
      },
    });
  }

  async function downloadUrl(created: Created, mediaType = 'IMAGE'): Promise<string> {
    const { envelope } = await downloadCall(created, { media_type: mediaType });
    expect(envelope.code).toBe(0);
    return envelope.data.download_url;
  }

  async function mediaStats(): Promise<MediaStats> {
    const { body } = await control<{ mediaDownloads: MediaStats }>(
      sandbox,
      'GET',
      '/sandbox/stats',
    );
    return body.mediaDownloads;
  }

  it.each([
    ['png', 'image/png'],
    ['jpeg', 'image/jpeg'],
  ])('serves a %s image that decodes, with the x-user header', async (format, contentType) => {
    const created = await personSends({ type: 'image', media: { format } });
    const url = await downloadUrl(created);
    expect(url.startsWith(sandbox.url)).toBe(true);

    const response = await fetch(url, { headers: { 'x-user': shop.access_token } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(contentType);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(Number(response.headers.get('content-length'))).toBe(bytes.length);
    const metadata = await sharp(bytes).metadata();
    expect(metadata).toMatchObject({ format, width: 64, height: 48 });
  });

  it('serves the committed MP4 for a video, byte for byte', async () => {
    const created = await personSends({ type: 'video' });
    const url = await downloadUrl(created, 'VIDEO');
    const response = await fetch(url, { headers: { 'x-user': shop.access_token } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('video/mp4');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.equals(readFileSync(VIDEO_FIXTURE))).toBe(true);
    expect(bytes.subarray(4, 8).toString()).toBe('ftyp');
    expect(bytes.length).toBeLessThan(16 * 1024);
    // The control API's side door serves the same bytes, without a token.
    const side = await fetch(`${sandbox.url}/sandbox/media/${created.mediaId}`);
    expect(side.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await side.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('refuses the download URL without x-user, with another business token, or after 24 hours', async () => {
    const created = await personSends({ type: 'image' });
    const url = await downloadUrl(created);
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { 'x-user': other.access_token } })).status).toBe(403);
    expect((await fetch(url, { headers: { 'x-user': 'act.nothing' } })).status).toBe(403);
    expect((await fetch(`${sandbox.url}/sandbox-cdn/media/unknown`)).status).toBe(404);
    expect((await fetch(url, { headers: { 'x-user': shop.access_token } })).status).toBe(200);

    await control(sandbox, 'POST', '/sandbox/clock', { offsetSeconds: 24 * 3600 + 1 });
    // A fresh token, so only the URL's own age can be the reason.
    const fresh = await connectAccount(sandbox, 'shopdemo');
    const expired = await fetch(url, { headers: { 'x-user': fresh.access_token } });
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('expired');
    expect(await mediaStats()).toEqual({ urls: 1, served: 1, refused: 5 });
  });

  it('answers 40002 naming the field for a wrong media_type, media_id, message or conversation', async () => {
    const image = await personSends({ type: 'image' });
    const text = await personSends({ type: 'text', text: 'Hello' });
    for (const [overrides, field] of [
      [{ media_type: 'VIDEO' }, 'media_type'],
      [{ media_type: 'image' }, 'media_type'],
      [{ media_id: 'media_other' }, 'media_id'],
      [{ message_id: text.messageId }, 'media_id'],
      [{ message_id: 'msg_nope' }, 'message_id'],
      [{ conversation_id: 'conv_nope' }, 'conversation_id'],
    ] as const) {
      const { status, envelope } = await downloadCall(image, overrides);
      expect({ overrides, status, code: envelope.code }).toEqual({
        overrides,
        status: 200,
        code: 40002,
      });
      expect(envelope.message).toContain(field);
    }
    // Another business cannot fetch this conversation's media.
    const { envelope } = await downloadCall(image, {}, other);
    expect(envelope.code).toBe(40002);
  });

  it('takes a message_id sent as a JSON number', async () => {
    const { body } = await control<{ userId: string }>(sandbox, 'POST', '/sandbox/users', {
      username: 'numbers.person',
      numericId: true,
    });
    const { body: created } = await control<Created>(sandbox, 'POST', '/sandbox/messages', {
      fromUserId: body.userId,
      toBusinessId: shop.open_id,
      type: 'image',
      wire: { ids: 'number' },
    });
    const { envelope } = await downloadCall(created, { message_id: Number(created.messageId) });
    expect(envelope.code).toBe(0);
  });

  it('needs message.list.read', async () => {
    const created = await personSends({ type: 'image' });
    await control(sandbox, 'POST', '/sandbox/grants/scopes', {
      businessId: shop.open_id,
      scopes: ['user.info.basic', 'message.list.send'],
    });
    const { envelope } = await downloadCall(created);
    expect(envelope.code).toBe(40001);
  });

  it('serves an image the business sent itself through media/upload', async () => {
    const { conversationId } = await personSends({ type: 'text', text: 'Send me a photo' });
    const png = await sharp({
      create: { width: 8, height: 8, channels: 3, background: { r: 0, g: 0, b: 255 } },
    })
      .png()
      .toBuffer();
    const form = new FormData();
    form.set('business_id', shop.open_id);
    form.set('media_type', 'IMAGE');
    form.set('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'blue.png');
    const upload = await fetch(new URL('business/message/media/upload/', sandbox.apiBaseUrl), {
      method: 'POST',
      headers: { 'Access-Token': shop.access_token },
      body: form,
    });
    const mediaId = ((await upload.json()) as { data: { media_id: string } }).data.media_id;
    const { envelope: sent } = await api<{ message: { message_id: string } }>(
      sandbox,
      'POST',
      'business/message/send/',
      {
        token: shop.access_token,
        body: {
          business_id: shop.open_id,
          recipient_type: 'CONVERSATION',
          recipient: conversationId,
          message_type: 'IMAGE',
          image: { media_id: mediaId },
        },
      },
    );
    const url = await downloadUrl({
      conversationId,
      messageId: sent.data.message.message_id,
      mediaId,
    });
    const response = await fetch(url, { headers: { 'x-user': shop.access_token } });
    expect(Buffer.from(await response.arrayBuffer()).equals(png)).toBe(true);
  });

  it('streams a large file of the asked size, chunked when told to leave Content-Length out', async () => {
    const size = 5 * 1024 * 1024 + 3;
    const created = await personSends({ type: 'video', media: { size, contentLength: false } });
    const url = await downloadUrl(created, 'VIDEO');
    const response = await fetch(url, { headers: { 'x-user': shop.access_token } });
    expect(response.headers.get('content-length')).toBeNull();
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    let total = 0;
    let head: Buffer | undefined;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      head ??= Buffer.from(chunk);
      total += chunk.length;
    }
    expect(total).toBe(size);
    expect(head?.subarray(4, 8).toString()).toBe('ftyp');

    // With Content-Length, a client can refuse it up front, or hang up at its cap.
    const declared = await personSends({ type: 'image', media: { size: 50 * 1024 * 1024 } });
    const capped = await fetch(await downloadUrl(declared), {
      headers: { 'x-user': shop.access_token },
    });
    expect(capped.headers.get('content-length')).toBe(String(50 * 1024 * 1024));
    const reader = (capped.body as ReadableStream<Uint8Array>).getReader();
    let read = 0;
    while (read < 1024 * 1024) {
      const { value, done } = await reader.read();
      if (done) break;
      read += value.length;
    }
    await reader.cancel();
    expect(read).toBeGreaterThanOrEqual(1024 * 1024);
    // The sandbox goes on serving after the hang-up.
    const after = await fetch(await downloadUrl(created, 'VIDEO'), {
      headers: { 'x-user': shop.access_token },
    });
    expect(after.status).toBe(200);
    await after.body?.cancel();
  });
});
