import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { WebhookBodyTooLargeError } from './webhook-raw-body';
import { readRequestBody, WebhookRequestAbortedError } from './webhook-request-body';

/** A request body stream with the few IncomingMessage fields the reader looks at. */
function request(headers: Record<string, string> = {}): PassThrough & { complete: boolean } {
  const stream = new PassThrough() as PassThrough & { complete: boolean; headers: object };
  stream.headers = headers;
  stream.complete = false;
  stream.on('end', () => (stream.complete = true));
  return stream;
}

const read = (req: PassThrough, max: number) =>
  readRequestBody(req as unknown as IncomingMessage, max);

describe('readRequestBody', () => {
  it('returns the bytes as they came, across chunks', async () => {
    const req = request();
    const body = read(req, 100);
    req.write(Buffer.from('{"a":'));
    req.end(Buffer.from('1}'));
    expect((await body).toString()).toBe('{"a":1}');
  });

  it('refuses a declared length over the limit before reading, and drains the stream', async () => {
    const req = request({ 'content-length': '101' });
    await expect(read(req, 100)).rejects.toBeInstanceOf(WebhookBodyTooLargeError);
    expect(req.isPaused()).toBe(false);
  });

  it('refuses a streamed body once it runs over the limit', async () => {
    const req = request();
    const body = read(req, 4);
    req.write(Buffer.from('abc'));
    req.write(Buffer.from('de'));
    await expect(body).rejects.toBeInstanceOf(WebhookBodyTooLargeError);
  });

  it('fails when the client goes away before the end of the body', async () => {
    const req = request();
    const body = read(req, 100);
    req.write(Buffer.from('{"a":'));
    req.destroy();
    await expect(body).rejects.toBeInstanceOf(WebhookRequestAbortedError);
  });
});
