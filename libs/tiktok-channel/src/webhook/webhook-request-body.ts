import type { IncomingMessage } from 'node:http';

/** The body ran over the cap: answered 413 (TikTok's real events are a few KB). */
export class WebhookBodyTooLargeError extends Error {
  override name = 'WebhookBodyTooLargeError';
}

/** The client went away before the whole body arrived: nobody is left to answer. */
export class WebhookRequestAbortedError extends Error {
  override name = 'WebhookRequestAbortedError';
}

/**
 * A request's body as the bytes that came in, up to `maxBytes` (over it: `WebhookBodyTooLargeError`,
 * with the rest drained so the connection can carry the 413 and be reused). Event listeners rather
 * than an async iterator: this runs once per delivery on the fast path.
 */
export function readRequestBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      req.resume();
      reject(new WebhookBodyTooLargeError(`webhook body of ${declared} bytes is over ${maxBytes}`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        over = true;
        chunks.length = 0;
        req.off('data', onData);
        req.resume();
        reject(new WebhookBodyTooLargeError(`webhook body over ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (!over) resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    });
    req.once('error', (error) => reject(error));
    req.once('close', () => {
      if (!req.complete) reject(new WebhookRequestAbortedError('webhook request aborted'));
    });
  });
}
