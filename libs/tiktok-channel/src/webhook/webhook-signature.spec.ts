import { createHmac } from 'node:crypto';
import { signTiktokPayload, verifyTiktokSignature, type SignatureCheck } from './webhook-signature';

const SECRET = 'app-secret-for-webhooks';
const NOW = 1_764_000_000;
const TOLERANCE = 300;
const RAW_BODY = Buffer.from(
  '{"client_key":"app_demo","event":"im_receive_msg","create_time":1764000000,' +
    '"user_openid":"biz_0001","content":"{\\"message_id\\":\\"msg_9001\\",\\"text\\":{\\"body\\":\\"Olá ✓\\"}}"}',
  'utf8',
);

function check(
  header: string | undefined,
  overrides: { rawBody?: Buffer; secret?: string; nowSeconds?: number } = {},
): SignatureCheck {
  return verifyTiktokSignature({
    header,
    rawBody: overrides.rawBody ?? RAW_BODY,
    secret: overrides.secret ?? SECRET,
    nowSeconds: overrides.nowSeconds ?? NOW,
    toleranceSeconds: TOLERANCE,
  });
}

function signatureOf(header: string): string {
  return header.split(',s=')[1];
}

describe('verifyTiktokSignature', () => {
  it('accepts a delivery signed with the app secret over the raw body', () => {
    const header = signTiktokPayload(SECRET, NOW, RAW_BODY);

    expect(check(header)).toEqual({ ok: true, timestamp: NOW, signature: signatureOf(header) });
  });

  it('signs exactly hex(HMAC-SHA256(secret, t + "." + body)) as the wire contract describes', () => {
    const expected = createHmac('sha256', SECRET)
      .update(`${NOW}.${RAW_BODY.toString('utf8')}`)
      .digest('hex');

    expect(signTiktokPayload(SECRET, NOW, RAW_BODY)).toBe(`t=${NOW},s=${expected}`);
  });

  it('rejects a delivery signed with another secret as a mismatch', () => {
    const header = signTiktokPayload('someone-else', NOW, RAW_BODY);

    expect(check(header)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('rejects a body changed by a single byte as a mismatch', () => {
    const header = signTiktokPayload(SECRET, NOW, RAW_BODY);
    const altered = Buffer.from(RAW_BODY);
    altered[altered.length - 2] ^= 0x01;

    expect(check(header, { rawBody: altered })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('rejects the same JSON re-serialised with different spacing, so only raw bytes verify', () => {
    const header = signTiktokPayload(SECRET, NOW, RAW_BODY);
    const reserialised = Buffer.from(
      JSON.stringify(JSON.parse(RAW_BODY.toString('utf8')), null, 2),
    );

    expect(check(header, { rawBody: reserialised })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('rejects a timestamp older than the tolerance as stale', () => {
    const header = signTiktokPayload(SECRET, NOW - TOLERANCE - 1, RAW_BODY);

    expect(check(header)).toEqual({ ok: false, reason: 'stale' });
  });

  it('rejects a timestamp further in the future than the tolerance as stale', () => {
    const header = signTiktokPayload(SECRET, NOW + TOLERANCE + 1, RAW_BODY);

    expect(check(header)).toEqual({ ok: false, reason: 'stale' });
  });

  it('accepts timestamps exactly at the edge of the tolerance in both directions', () => {
    for (const timestamp of [NOW - TOLERANCE, NOW + TOLERANCE]) {
      expect(check(signTiktokPayload(SECRET, timestamp, RAW_BODY)).ok).toBe(true);
    }
  });

  it('accepts uppercase keys, reversed parts, uppercase hex and spaces around parts and "="', () => {
    const signature = signatureOf(signTiktokPayload(SECRET, NOW, RAW_BODY));
    const header = `  S = ${signature.toUpperCase()} ,  T= ${NOW}  `;

    expect(check(header)).toEqual({ ok: true, timestamp: NOW, signature });
  });

  it('ignores parts it does not know, so a future extra field does not break verification', () => {
    const header = `${signTiktokPayload(SECRET, NOW, RAW_BODY)},v=2`;

    expect(check(header).ok).toBe(true);
  });

  it.each([
    ['shorter', (s: string) => s.slice(0, 32)],
    ['longer', (s: string) => `${s}abcd`],
    ['a single byte', () => 'ab'],
  ])(
    'reports a signature of a different length (%s) as a mismatch instead of throwing',
    (_case: string, change: (signature: string) => string) => {
      const signature = signatureOf(signTiktokPayload(SECRET, NOW, RAW_BODY));

      expect(() => check(`t=${NOW},s=${change(signature)}`)).not.toThrow();
      expect(check(`t=${NOW},s=${change(signature)}`)).toEqual({ ok: false, reason: 'mismatch' });
    },
  );

  it.each([undefined, '', '   '])('reports the header %p as missing', (header) => {
    expect(check(header)).toEqual({ ok: false, reason: 'missing' });
  });

  it.each([
    ['garbage', 'not a signature'],
    ['only a timestamp', `t=${NOW}`],
    ['only a signature', 's=abcdef'],
    ['a non-hex signature', `t=${NOW},s=zz${'0'.repeat(62)}`],
    ['an odd number of hex digits', `t=${NOW},s=abc`],
    ['an empty signature', `t=${NOW},s=`],
    ['a non-numeric timestamp', 't=yesterday,s=abcdef'],
    ['a negative timestamp', `t=-${NOW},s=abcdef`],
    ['a duplicated key', `t=${NOW},t=${NOW},s=abcdef`],
    ['JSON', `{"t":${NOW},"s":"abcdef"}`],
  ])('reports a header with %s as malformed', (_case: string, header: string) => {
    expect(check(header)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('verifies a timestamp with a leading zero against the characters TikTok signed', () => {
    const signature = createHmac('sha256', SECRET)
      .update(Buffer.concat([Buffer.from(`0${NOW}.`), RAW_BODY]))
      .digest('hex');

    expect(check(`t=0${NOW},s=${signature}`)).toEqual({ ok: true, timestamp: NOW, signature });
  });
});

describe('signTiktokPayload', () => {
  it('refuses a timestamp that is not whole seconds', () => {
    expect(() => signTiktokPayload(SECRET, NOW + 0.5, RAW_BODY)).toThrow(RangeError);
  });
});
