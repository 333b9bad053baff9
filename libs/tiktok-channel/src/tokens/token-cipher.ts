import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Seals OAuth tokens for storage with AES-256-GCM.
 *
 * Sealed format (ASCII, colon-separated, every binary part base64url without padding):
 *
 *     v1:<keyId>:<iv>:<tag>:<ciphertext>
 *
 * - `v1`: format version, so the scheme can change without guessing what a stored value is.
 * - `keyId`: which key sealed it; decryption looks the key up by id, so after a rotation values
 *   sealed with an older key stay readable as long as that key remains in the ring.
 * - `iv`: 12 random bytes, fresh per encryption (GCM breaks if an IV repeats under one key).
 * - `tag`: the 16-byte GCM authentication tag.
 * - `ciphertext`: the UTF-8 plaintext, encrypted.
 *
 * `v1:<keyId>` is also authenticated as additional data, so a value cannot be relabelled.
 *
 * Keys are configured as `keyId:base64Of32Bytes`, newest first: the first key encrypts, all decrypt.
 */

const VERSION = 'v1';
const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64_PATTERN = /^[A-Za-z0-9+/_-]+={0,2}$/;
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]*$/;

export type TokenDecryptionFailure = 'malformed' | 'unknown_key' | 'tampered';

/** A stored value could not be opened. The message never contains the value or key material. */
export class TokenDecryptionError extends Error {
  override readonly name = 'TokenDecryptionError';

  constructor(
    readonly reason: TokenDecryptionFailure,
    message: string,
  ) {
    super(message);
  }
}

interface CipherKey {
  id: string;
  key: Buffer;
}

export class TokenCipher {
  private readonly encryptionKey: CipherKey;
  private readonly keysById: ReadonlyMap<string, Buffer>;

  constructor(keys: string[]) {
    const problems = tokenKeyRingProblems(keys);
    if (problems.length > 0) throw new Error(problems[0]);
    const parsed = keys.map((entry, index) => parseKey(entry, index + 1) as CipherKey);
    this.encryptionKey = parsed[0];
    this.keysById = new Map(parsed.map(({ id, key }) => [id, key]));
  }

  encrypt(plain: string): string {
    const { id, key } = this.encryptionKey;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(id));
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, id, toB64Url(iv), toB64Url(tag), toB64Url(ciphertext)].join(':');
  }

  decrypt(sealed: string): string {
    const parts = typeof sealed === 'string' ? sealed.split(':') : [];
    if (parts.length !== 5 || parts[0] !== VERSION) {
      throw new TokenDecryptionError('malformed', 'Sealed token is not in the v1 format');
    }
    const [, id, ivText, tagText, ciphertextText] = parts;
    const iv = fromB64Url(ivText);
    const tag = fromB64Url(tagText);
    const ciphertext = fromB64Url(ciphertextText);
    if (
      !KEY_ID_PATTERN.test(id) ||
      iv?.length !== IV_BYTES ||
      tag?.length !== TAG_BYTES ||
      !ciphertext
    ) {
      throw new TokenDecryptionError('malformed', 'Sealed token is not in the v1 format');
    }
    const key = this.keysById.get(id);
    if (!key) {
      throw new TokenDecryptionError(
        'unknown_key',
        `Sealed token was encrypted with key id "${id}", which is not configured; add it back to the key ring`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(associatedData(id));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new TokenDecryptionError(
        'tampered',
        `Sealed token failed authentication with key id "${id}": it was altered or the key is wrong`,
      );
    }
  }

  /** A new `keyId:base64Of32Bytes` entry to put first in the key ring. */
  static generateKey(keyId: string = `k-${randomBytes(4).toString('hex')}`): string {
    if (!KEY_ID_PATTERN.test(keyId)) {
      throw new Error('Key id must be 1-32 characters of A-Z, a-z, 0-9, "_" or "-"');
    }
    return `${keyId}:${randomBytes(KEY_BYTES).toString('base64')}`;
  }
}

/** A new `keyId:base64Of32Bytes` entry for `tokenEncryptionKeys` (put it first to rotate). */
export function generateTokenEncryptionKey(keyId?: string): string {
  return TokenCipher.generateKey(keyId);
}

/**
 * Every problem of a key ring, so a configuration check can report them all at once. Problems
 * name a key by position only: a malformed entry may be nothing but key material.
 */
export function tokenKeyRingProblems(keys: unknown): string[] {
  if (!Array.isArray(keys) || keys.length === 0) {
    return ['TokenCipher needs at least one key, formatted "keyId:base64Of32Bytes"'];
  }
  const problems: string[] = [];
  const firstPositionById = new Map<string, number>();
  keys.forEach((entry: unknown, index) => {
    const parsed = parseKey(entry, index + 1);
    if (typeof parsed === 'string') {
      problems.push(parsed);
      return;
    }
    const first = firstPositionById.get(parsed.id);
    if (first !== undefined) {
      problems.push(`Token encryption keys #${first} and #${index + 1} share the same key id`);
    } else {
      firstPositionById.set(parsed.id, index + 1);
    }
  });
  return problems;
}

/** The key, or why the entry is not one. */
function parseKey(entry: unknown, position: number): CipherKey | string {
  if (typeof entry !== 'string') return `Token encryption key #${position} is not a string`;
  const separator = entry.indexOf(':');
  if (separator < 0) {
    return `Token encryption key #${position} must be formatted "keyId:base64Of32Bytes"`;
  }
  const id = entry.slice(0, separator).trim();
  const material = entry.slice(separator + 1).trim();
  if (!KEY_ID_PATTERN.test(id)) {
    return `Token encryption key #${position} has an invalid id: use 1-32 characters of A-Z, a-z, 0-9, "_" or "-"`;
  }
  const key = BASE64_PATTERN.test(material) ? Buffer.from(material, 'base64') : undefined;
  if (!key || key.length !== KEY_BYTES) {
    return `Token encryption key #${position} must be ${KEY_BYTES} bytes encoded in base64 (see TokenCipher.generateKey)`;
  }
  return { id, key };
}

function associatedData(keyId: string): Buffer {
  return Buffer.from(`${VERSION}:${keyId}`, 'utf8');
}

function toB64Url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

/** Node's decoder skips invalid characters silently, so the alphabet is checked first. */
function fromB64Url(text: string): Buffer | undefined {
  return BASE64URL_PATTERN.test(text) ? Buffer.from(text, 'base64url') : undefined;
}
