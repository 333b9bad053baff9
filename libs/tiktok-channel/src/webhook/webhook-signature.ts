import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * TikTok signs each webhook delivery with the header `TikTok-Signature: t=<unix seconds>,s=<hex>`,
 * where `s = hex(HMAC-SHA256(app secret, t + "." + raw body bytes))`.
 */

export type SignatureCheck =
  | { ok: true; timestamp: number; signature: string }
  | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

export interface SignatureCheckInput {
  /** The `TikTok-Signature` header value as received. */
  header: string | undefined;
  /** The body exactly as received: re-serialised JSON would not match the signature. */
  rawBody: Buffer;
  secret: string;
  nowSeconds: number;
  /** Accepted clock difference, applied both to the past and to the future. */
  toleranceSeconds: number;
}

const TIMESTAMP_PATTERN = /^\d{1,15}$/;
const HEX_PATTERN = /^(?:[0-9a-fA-F]{2})+$/;

export function verifyTiktokSignature(input: SignatureCheckInput): SignatureCheck {
  if (input.header === undefined || input.header.trim() === '') {
    return { ok: false, reason: 'missing' };
  }
  const parsed = parseHeader(input.header);
  if (!parsed) return { ok: false, reason: 'malformed' };

  const timestamp = Number(parsed.timestamp);
  if (Math.abs(input.nowSeconds - timestamp) > input.toleranceSeconds) {
    return { ok: false, reason: 'stale' };
  }

  const expected = computeSignature(input.secret, parsed.timestamp, input.rawBody);
  const received = Buffer.from(parsed.signature, 'hex');
  // timingSafeEqual throws on unequal lengths; the length of an HMAC is public anyway.
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    return { ok: false, reason: 'mismatch' };
  }
  return { ok: true, timestamp, signature: parsed.signature.toLowerCase() };
}

/** The full `TikTok-Signature` header value for a body, as TikTok would send it. */
export function signTiktokPayload(secret: string, timestamp: number, rawBody: Buffer): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError('timestamp must be a non-negative integer number of seconds');
  }
  const t = String(timestamp);
  return `t=${t},s=${computeSignature(secret, t, rawBody).toString('hex')}`;
}

/**
 * The timestamp stays the text it was sent as: TikTok signed those exact characters, so
 * normalising it (e.g. dropping a leading zero) would break the match.
 */
function computeSignature(secret: string, timestamp: string, rawBody: Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(rawBody).digest();
}

/** Keys are case-insensitive, parts may come in any order; unknown keys are ignored for future versions. */
function parseHeader(header: string): { timestamp: string; signature: string } | undefined {
  let timestamp: string | undefined;
  let signature: string | undefined;
  for (const part of header.split(',')) {
    if (part.trim() === '') continue;
    const separator = part.indexOf('=');
    if (separator < 0) return undefined;
    const key = part.slice(0, separator).trim().toLowerCase();
    const value = part.slice(separator + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined || !TIMESTAMP_PATTERN.test(value)) return undefined;
      timestamp = value;
    } else if (key === 's') {
      if (signature !== undefined || !HEX_PATTERN.test(value)) return undefined;
      signature = value;
    }
  }
  return timestamp !== undefined && signature !== undefined ? { timestamp, signature } : undefined;
}
