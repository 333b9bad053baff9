import { createHash } from 'node:crypto';

/** The namespace of the channel's name-based account ids (RFC 9562 UUID version 5). */
const NAMESPACE = Buffer.from('3b0e1c2a6f5d4e8b9a7c1d2e3f4a5b6c', 'hex');

/**
 * The id a new account of this business gets: derived from the business id, so two callbacks
 * connecting the same new business at once agree on it without a lock, and the host's
 * `upsertInbox` (keyed by account id) gives both the same inbox.
 */
export function accountIdFor(businessId: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(businessId, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
