import type { Request } from 'express';
import { readRequestBody } from './webhook-request-body';

export { WebhookBodyTooLargeError } from './webhook-request-body';

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
  return readRequestBody(req, maxBytes);
}
