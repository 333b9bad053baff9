import { createHash, randomBytes } from 'node:crypto';

/**
 * Random bytes drawn a few kilobytes at a time: a crypto call per id cost more than the rest of
 * building a send's answer. Bytes are never handed out twice.
 */
const POOL_BYTES = 8192;
let pool = Buffer.alloc(0);
let offset = 0;

/** Exported for its test only. */
export function takeRandom(bytes: number): Buffer {
  if (offset + bytes > pool.length) {
    pool = randomBytes(Math.max(POOL_BYTES, bytes));
    offset = 0;
  }
  const taken = pool.subarray(offset, offset + bytes);
  offset += bytes;
  return taken;
}

function random(bytes: number): string {
  return takeRandom(bytes).toString('base64url');
}

function hex(bytes: number): string {
  return takeRandom(bytes).toString('hex');
}

/** Like TikTok's open_id, stable for a username: a restarted sandbox gives a reconnect the same account. */
function stable(username: string): string {
  return createHash('sha256').update(username).digest('hex').slice(0, 16);
}

export const newId = {
  businessOpenId: (username: string) => `biz_${stable(username)}`,
  personalOpenId: (username: string) => `per_${stable(username)}`,
  user: (username: string) => `user_${stable(username)}`,
  // All digits and below 2^53, so it survives being sent as a JSON number.
  numericUser: (username: string) => String(parseInt(stable(username).slice(0, 13), 16) + 1e15),
  numericMessage: () => String(7e15 + (parseInt(hex(6), 16) % 1e15)),
  event: (kind: string) => `${kind}_${hex(10)}`,
  downloadToken: () => random(24),
  media: () => `media_${hex(10)}`,
  // TikTok's conversation ids are base64-like and can hold '+': always include one so a client
  // that forgets to encode it in a query string (where '+' means space) fails here, not in prod.
  conversation: () => `conv_${random(9)}+${random(6)}`,
  message: () => `msg_${hex(10)}`,
  authCode: () => random(24),
  accessToken: () => `act.${hex(24)}`,
  refreshToken: () => `rft.${hex(24)}`,
  // Shaped like TikTok's: a timestamp followed by random hex.
  requestId: () =>
    `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}${hex(8).toUpperCase()}`,
};
