import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { TiktokApiClient } from './tiktok-api.client';
import { TiktokApiError } from './tiktok-api.error';
import {
  ACCESS_TOKEN,
  APP_ID,
  APP_SECRET,
  BASE_PATH,
  failureOf,
  ok,
  refused,
  startFakeTiktok,
  type CapturedRequest,
  type FakeTiktok,
} from './testing/fake-tiktok';

let tiktok: FakeTiktok;
let client: TiktokApiClient;

beforeEach(async () => {
  tiktok = await startFakeTiktok();
  client = new TiktokApiClient({
    apiBaseUrl: tiktok.baseUrl,
    appId: APP_ID,
    appSecret: APP_SECRET,
  });
});

afterEach(async () => {
  await tiktok.close();
});

function onlyRequest(): CapturedRequest {
  expect(tiktok.requests).toHaveLength(1);
  return tiktok.requests[0];
}

/** Parses the multipart body with Node's own (undici) parser: it rejects malformed ones. */
async function parseMultipart(request: CapturedRequest): Promise<FormData> {
  const contentType = String(request.headers['content-type']);
  return new Response(request.rawBody, { headers: { 'content-type': contentType } }).formData();
}

describe('TiktokApiClient.uploadImage', () => {
  // Random bytes contain CR, LF and dashes, which a careless multipart writer would mangle.
  const image = randomBytes(256 * 1024);

  it('posts multipart/form-data with business_id, media_type=IMAGE and the file intact', async () => {
    tiktok.reply(ok({ media_id: 'media_1' }));

    const uploaded = await client.uploadImage(ACCESS_TOKEN, {
      businessId: 'biz+0001',
      bytes: image,
      fileName: 'photo.png',
      contentType: 'image/png',
    });

    const request = onlyRequest();
    expect(request.method).toBe('POST');
    expect(request.pathname).toBe(`${BASE_PATH}business/message/media/upload/`);
    expect(request.rawQuery).toBe('');
    expect(request.headers['access-token']).toBe(ACCESS_TOKEN);
    expect(request.headers['authorization']).toBeUndefined();
    const contentType = String(request.headers['content-type']);
    expect(contentType).toMatch(/^multipart\/form-data; boundary=\S+$/);
    expect(Number(request.headers['content-length'])).toBe(request.rawBody.length);

    const form = await parseMultipart(request);
    expect([...form.keys()]).toEqual(['business_id', 'media_type', 'file']);
    expect(form.get('business_id')).toBe('biz+0001');
    expect(form.get('media_type')).toBe('IMAGE');
    const file = form.get('file');
    expect(file).toBeInstanceOf(Blob);
    const blob = file as File;
    expect(blob.name).toBe('photo.png');
    expect(blob.type).toBe('image/png');
    expect(Buffer.from(await blob.arrayBuffer()).equals(image)).toBe(true);

    // The same, read off the raw bytes: part headers, the file verbatim, the closing delimiter.
    const boundary = contentType.split('boundary=')[1];
    const raw = request.rawBody;
    const fileHeaders =
      'Content-Disposition: form-data; name="file"; filename="photo.png"\r\n' +
      'Content-Type: image/png\r\n\r\n';
    const fileStart = raw.indexOf(fileHeaders) + fileHeaders.length;
    expect(fileStart).toBeGreaterThan(fileHeaders.length);
    expect(raw.subarray(fileStart, fileStart + image.length).equals(image)).toBe(true);
    expect(raw.subarray(fileStart + image.length).toString()).toBe(`\r\n--${boundary}--\r\n`);
    expect(uploaded).toEqual({ mediaId: 'media_1' });
  });

  it.each([40907, 40908])('classifies the upload refusal %d as invalid media', async (code) => {
    tiktok.reply(refused(code, 'file too large or wrong type'));

    const error = await failureOf(
      client.uploadImage(ACCESS_TOKEN, {
        businessId: 'b',
        bytes: image,
        fileName: 'x.gif',
        contentType: 'image/gif',
      }),
    );

    expect(error.errorClass).toBe('invalid_media');
    expect(error.endpoint).toBe('business/message/media/upload/');
  });

  it('fails an upload answer without media_id', async () => {
    tiktok.reply(ok({}));

    const error = await failureOf(
      client.uploadImage(ACCESS_TOKEN, {
        businessId: 'b',
        bytes: image,
        fileName: 'x.jpg',
        contentType: 'image/jpeg',
      }),
    );

    expect(error.errorClass).toBe('invalid_request');
    expect(error.message).toContain('media_id');
  });
});

describe('TiktokApiClient.downloadMedia', () => {
  const CAP = 64 * 1024;
  let downloadUrl: string;

  beforeEach(() => {
    // Absolute and outside the API base, as TikTok's media URLs are.
    downloadUrl = `${tiktok.origin}/media/abc.jpg?sig=signed-part`;
  });

  async function readAll(stream: Readable): Promise<{ bytes: Buffer; error?: unknown }> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return { bytes: Buffer.concat(chunks) };
    } catch (error) {
      return { bytes: Buffer.concat(chunks), error };
    }
  }

  function expectClean(error: unknown): void {
    expect(error).toBeInstanceOf(TiktokApiError);
    const rendered = inspect(error, { depth: Infinity, showHidden: true });
    expect(rendered).not.toContain(ACCESS_TOKEN);
    expect(rendered).not.toContain('signed-part');
  }

  it('streams media that fits, sending x-user and no Access-Token', async () => {
    const media = randomBytes(40 * 1024);
    tiktok.reply({
      bytes: media,
      headers: { 'content-type': 'image/jpeg', 'content-length': media.length },
    });

    const download = await client.downloadMedia(ACCESS_TOKEN, downloadUrl, { maxBytes: CAP });
    const { bytes, error } = await readAll(download.stream);

    const request = onlyRequest();
    expect(request.method).toBe('GET');
    expect(request.pathname).toBe('/media/abc.jpg');
    expect(request.rawQuery).toBe('?sig=signed-part');
    expect(request.headers['x-user']).toBe(ACCESS_TOKEN);
    expect(request.headers['access-token']).toBeUndefined();
    expect(request.headers['authorization']).toBeUndefined();
    expect(request.headers['accept-encoding']).toBe('identity');
    expect(request.rawBody).toHaveLength(0);
    expect(error).toBeUndefined();
    expect(bytes.equals(media)).toBe(true);
    expect(download.contentType).toBe('image/jpeg');
    expect(download.contentLength).toBe(media.length);
  });

  it('delivers a body of exactly maxBytes without Content-Length', async () => {
    tiktok.reply({ streamBytes: CAP });

    const download = await client.downloadMedia(ACCESS_TOKEN, downloadUrl, { maxBytes: CAP });
    const { bytes, error } = await readAll(download.stream);

    expect(error).toBeUndefined();
    expect(bytes).toHaveLength(CAP);
    expect(download.contentLength).toBeUndefined();
  });

  it('cuts off a body without Content-Length once it grows past maxBytes', async () => {
    // More than the loopback socket buffers hold, so finishing would need the client to read.
    const offered = 32 * 1024 * 1024;
    tiktok.reply({ streamBytes: offered });

    const download = await client.downloadMedia(ACCESS_TOKEN, downloadUrl, { maxBytes: CAP });
    const { bytes, error } = await readAll(download.stream);

    expect(error).toBeInstanceOf(TiktokApiError);
    const apiError = error as TiktokApiError;
    expect(apiError.errorClass).toBe('invalid_media');
    expect(apiError.message).toContain(`${CAP}-byte cap`);
    expect(bytes.length).toBeLessThanOrEqual(CAP);
    expect(download.stream.destroyed).toBe(true);
    expectClean(error);
    // The connection is dropped rather than drained.
    await tiktok.responseEnded(0);
    expect(tiktok.cutOff[0]).toBe(true);
    expect(tiktok.bytesSent[0]).toBeLessThan(offered);
  });

  it('fails before reading when Content-Length announces more than maxBytes', async () => {
    const offered = 32 * 1024 * 1024;
    tiktok.reply({ streamBytes: offered, headers: { 'content-length': offered } });

    const error = await failureOf(
      client.downloadMedia(ACCESS_TOKEN, downloadUrl, { maxBytes: 1000 }),
    );

    expect(error.errorClass).toBe('invalid_media');
    expect(error.message).toContain(`${offered} bytes`);
    expect(error.message).toContain('1000-byte cap');
    await tiktok.responseEnded(0);
    expect(tiktok.cutOff[0]).toBe(true);
  });

  it('does not follow a redirect, so x-user never reaches the host it names', async () => {
    const elsewhere = await startFakeTiktok();
    try {
      tiktok.reply({ status: 302, headers: { location: `${elsewhere.origin}/steal.jpg` } });

      const error = await failureOf(
        client.downloadMedia(ACCESS_TOKEN, downloadUrl, { maxBytes: CAP }),
      );

      expect(error.errorClass).toBe('invalid_request');
      expect(error.httpStatus).toBe(302);
      expect(error.message).toContain('redirect');
      expect(elsewhere.requests).toHaveLength(0);
      expectClean(error);
    } finally {
      await elsewhere.close();
    }
  });

  it('times out when the headers never come', async () => {
    tiktok.reply({ hang: true });

    const error = await failureOf(
      client.downloadMedia(ACCESS_TOKEN, downloadUrl, { maxBytes: CAP, timeoutMs: 200 }),
    );

    expect(error.errorClass).toBe('transient');
    expect(error.message).toContain('timed out after 200 ms');
    expectClean(error);
  });

  it.each([
    ['stalls after the headers', { stallAfterHeaders: true }],
    ['trickles forever', { trickleMs: 20 }],
  ])('fails the stream with a timeout when the body %s', async (_how, misbehaviour) => {
    tiktok.reply({ ...misbehaviour, headers: { 'content-type': 'image/jpeg' } });
    const started = Date.now();

    const download = await client.downloadMedia(ACCESS_TOKEN, downloadUrl, {
      maxBytes: CAP,
      timeoutMs: 200,
    });
    const { error } = await readAll(download.stream);

    expect(error).toBeInstanceOf(TiktokApiError);
    expect((error as TiktokApiError).errorClass).toBe('transient');
    expect((error as TiktokApiError).message).toContain('timed out after 200 ms');
    expect(Date.now() - started).toBeLessThan(2000);
    expectClean(error);
  });

  it('fails the stream as transient when the connection drops mid-body', async () => {
    tiktok.reply({ resetAfterBytes: 1000, headers: { 'content-length': 5000 } });

    const download = await client.downloadMedia(ACCESS_TOKEN, downloadUrl, { maxBytes: CAP });
    const { error } = await readAll(download.stream);

    expect(error).toBeInstanceOf(TiktokApiError);
    expect((error as TiktokApiError).errorClass).toBe('transient');
    expectClean(error);
  });

  it('classifies a TikTok envelope answered with HTTP 200 instead of media', async () => {
    tiktok.reply(refused(40105, `x-user ${ACCESS_TOKEN} is invalid`));

    const error = await failureOf(
      client.downloadMedia(ACCESS_TOKEN, downloadUrl, { maxBytes: CAP }),
    );

    expect(error.errorClass).toBe('auth_expired');
    expect(error.code).toBe(40105);
    expectClean(error);
  });

  it.each<[number, string]>([
    [403, 'invalid_request'],
    [404, 'invalid_request'],
    [429, 'rate_limited'],
    [503, 'transient'],
  ])('classifies HTTP %d from the download URL as %s', async (status, errorClass) => {
    tiktok.reply({ status, text: 'nope', headers: { 'content-type': 'text/plain' } });

    const error = await failureOf(
      client.downloadMedia(ACCESS_TOKEN, downloadUrl, { maxBytes: CAP }),
    );

    expect(error.errorClass).toBe(errorClass);
    expect(error.httpStatus).toBe(status);
    expectClean(error);
  });

  it.each(['file:///etc/passwd', 'ftp://media.example/a.jpg', 'not a url', '/media/abc.jpg'])(
    'refuses the download URL %p without sending the token anywhere',
    async (url) => {
      const error = await failureOf(client.downloadMedia(ACCESS_TOKEN, url, { maxBytes: CAP }));

      expect(error.errorClass).toBe('invalid_request');
      expect(tiktok.requests).toHaveLength(0);
    },
  );

  it.each([0, -1, 1.5, Number.NaN])('refuses maxBytes %p as a bug', async (maxBytes) => {
    const error = await failureOf(client.downloadMedia(ACCESS_TOKEN, downloadUrl, { maxBytes }));

    expect(error.errorClass).toBe('bug');
    expect(tiktok.requests).toHaveLength(0);
  });
});
