import { randomBytes } from 'node:crypto';
import { TokenCipher, TokenDecryptionError } from './token-cipher';

const TOKEN = 'act.1a2b3c4d5e6f7a8b9c0d-access-token';
const OLD_KEY = `old:${randomBytes(32).toString('base64')}`;
const NEW_KEY = `new:${randomBytes(32).toString('base64')}`;

function decryptionFailure(cipher: TokenCipher, sealed: string): TokenDecryptionError {
  try {
    cipher.decrypt(sealed);
  } catch (error) {
    if (error instanceof TokenDecryptionError) return error;
    throw error;
  }
  throw new Error('Expected decryption to fail');
}

/** Flips one bit of the base64url part at `index` of a sealed value. */
function tamper(sealed: string, index: number): string {
  const parts = sealed.split(':');
  const bytes = Buffer.from(parts[index], 'base64url');
  bytes[0] ^= 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join(':');
}

describe('TokenCipher', () => {
  it('decrypts what it encrypted', () => {
    const cipher = new TokenCipher([NEW_KEY]);

    expect(cipher.decrypt(cipher.encrypt(TOKEN))).toBe(TOKEN);
    expect(cipher.decrypt(cipher.encrypt(''))).toBe('');
    expect(cipher.decrypt(cipher.encrypt('ünïcødé ✓'))).toBe('ünïcødé ✓');
  });

  it('writes the documented v1:<keyId>:<iv>:<tag>:<ciphertext> format', () => {
    const sealed = new TokenCipher([NEW_KEY]).encrypt(TOKEN);

    const [version, keyId, iv, tag, ciphertext] = sealed.split(':');
    expect(sealed.split(':')).toHaveLength(5);
    expect(version).toBe('v1');
    expect(keyId).toBe('new');
    expect(Buffer.from(iv, 'base64url')).toHaveLength(12);
    expect(Buffer.from(tag, 'base64url')).toHaveLength(16);
    expect(ciphertext).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('produces a different sealed value each time the same token is encrypted', () => {
    const cipher = new TokenCipher([NEW_KEY]);

    expect(cipher.encrypt(TOKEN)).not.toBe(cipher.encrypt(TOKEN));
  });

  it('never shows the plaintext in the sealed value', () => {
    const sealed = new TokenCipher([NEW_KEY]).encrypt(TOKEN);

    expect(sealed).not.toContain(TOKEN);
    expect(sealed).not.toContain(Buffer.from(TOKEN).toString('base64url'));
    expect(sealed).not.toContain('access-token');
  });

  it.each([
    ['ciphertext', 4],
    ['tag', 3],
    ['iv', 2],
  ])('rejects a value whose %s was altered as tampered', (_part: string, index: number) => {
    const cipher = new TokenCipher([NEW_KEY]);
    const sealed = cipher.encrypt(TOKEN);

    const error = decryptionFailure(cipher, tamper(sealed, index));

    expect(error.reason).toBe('tampered');
    expect(error.message).not.toContain(TOKEN);
  });

  it('rejects a value relabelled with another configured key id', () => {
    const cipher = new TokenCipher([NEW_KEY, OLD_KEY]);
    const relabelled = cipher.encrypt(TOKEN).replace(/^v1:new:/, 'v1:old:');

    expect(decryptionFailure(cipher, relabelled).reason).toBe('tampered');
  });

  it('keeps decrypting values sealed with an old key after a new key is put first', () => {
    const sealedBeforeRotation = new TokenCipher([OLD_KEY]).encrypt(TOKEN);
    const rotated = new TokenCipher([NEW_KEY, OLD_KEY]);

    expect(rotated.decrypt(sealedBeforeRotation)).toBe(TOKEN);
    expect(rotated.encrypt(TOKEN)).toMatch(/^v1:new:/);
  });

  it('names the missing key id when a value was sealed with a key no longer configured', () => {
    const sealed = new TokenCipher([OLD_KEY]).encrypt(TOKEN);

    const error = decryptionFailure(new TokenCipher([NEW_KEY]), sealed);

    expect(error).toBeInstanceOf(TokenDecryptionError);
    expect(error.reason).toBe('unknown_key');
    expect(error.message).toContain('"old"');
  });

  it.each([
    ['an empty string', ''],
    ['a plaintext token', TOKEN],
    ['another version', 'v2:new:aaaa:bbbb:cccc'],
    ['too few parts', 'v1:new:aaaa:bbbb'],
    ['a short iv', 'v1:new:AAAA:AAAAAAAAAAAAAAAAAAAAAA:AAAA'],
    ['characters outside base64url', 'v1:new:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA:AA+/'],
  ])('rejects %s as malformed', (_case: string, sealed: string) => {
    const error = decryptionFailure(new TokenCipher([NEW_KEY]), sealed);

    expect(error.reason).toBe('malformed');
  });

  const key32 = (): string => randomBytes(32).toString('base64');

  it.each<[string, string[], RegExp]>([
    ['no keys', [], /at least one key/],
    ['a key without an id', [key32()], /#1 must be formatted "keyId:base64Of32Bytes"/],
    ['an id with a space', [`my key:${key32()}`], /#1 has an invalid id/],
    ['an id longer than 32 characters', [`${'k'.repeat(33)}:${key32()}`], /#1 has an invalid id/],
    ['a 16-byte key', [`k1:${randomBytes(16).toString('base64')}`], /#1 must be 32 bytes/],
    ['a key that is not base64', ['k1:this is not base64 material!!'], /#1 must be 32 bytes/],
    ['duplicate ids', [`k1:${key32()}`, `k2:${key32()}`, `k1:${key32()}`], /#1 and #3 share/],
  ])('rejects a key ring with %s, saying why', (_case, keys, reason) => {
    expect(() => new TokenCipher(keys)).toThrow(reason);
  });

  it('never echoes key material when rejecting a key ring', () => {
    const material = randomBytes(31).toString('base64');
    const keys = [`k1:${material}`, material];

    for (const ring of [[keys[0]], [keys[1]]]) {
      let message = '';
      try {
        new TokenCipher(ring);
      } catch (error) {
        message = String(error);
      }
      expect(message).toContain('key #1');
      expect(message).not.toContain(material);
    }
  });

  it('generates keys the constructor accepts, with the given or a random id', () => {
    const named = TokenCipher.generateKey('2025-rotation');
    const unnamed = TokenCipher.generateKey();

    expect(named).toMatch(/^2025-rotation:/);
    expect(unnamed).not.toBe(TokenCipher.generateKey());
    const cipher = new TokenCipher([named, unnamed]);
    expect(cipher.decrypt(cipher.encrypt(TOKEN))).toBe(TOKEN);
    expect(() => TokenCipher.generateKey('bad:id')).toThrow(Error);
  });
});
