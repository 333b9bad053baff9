import { randomBytes } from 'node:crypto';

function random(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export const newId = {
  businessOpenId: () => `biz_${hex(8)}`,
  personalOpenId: () => `per_${hex(8)}`,
  user: () => `user_${hex(8)}`,
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
