import type { Request } from 'express';

/** The body ran over the cap: answered 413 (TikTok's real events are a few KB). */
export class WebhookBodyTooLargeError extends Error {
  override name = 'WebhookBodyTooLargeError';
}

/**
 * The raw body of a webhook request. The host's body parser (Nest's `rawBody: true`) keeps it for
 * JSON and form bodies; for any other content type (`text/plain`, none at all) no parser reads
 * the stream, so it is read here, up to `maxBytes`. Null when the stream was consumed elsewhere
 * without keeping the bytes (a host set-up error).
 */
export async function readWebhookBody(
  req: Request,
  property: string,
  maxBytes: number,
): Promise<Buffer | null> {
  const kept = (req as unknown as Record<string, unknown>)[property];
  if (Buffer.isBuffer(kept)) return kept;
  if (req.readableEnded || req.readableDidRead) return null;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume(); // drain, so the connection can answer and be reused
    throw new WebhookBodyTooLargeError(`webhook body of ${declared} bytes is over ${maxBytes}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += bytes.length;
    if (size > maxBytes) {
      req.resume();
      throw new WebhookBodyTooLargeError(`webhook body over ${maxBytes} bytes`);
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}
