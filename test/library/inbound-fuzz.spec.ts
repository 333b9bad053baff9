import { createHash } from 'node:crypto';
import http from 'node:http';
import fc from 'fast-check';
import { InboundProcessor, signTiktokPayload } from '../../libs/tiktok-channel/src/testing';
import { parseWebhook } from '../../libs/tiktok-channel/src/webhook/webhook-envelope';
import { followRedirects } from '../support/e2e-harness';
import { startLibraryHost, type LibraryHost } from '../support/library-host';
import { SandboxControl } from '../support/sandbox-control';

/** Issue 6 asks for at least 100,000 generated bodies. */
const BODIES = Number(process.env.FUZZ_BODIES ?? 100_000);
const BATCH = 100;
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);

type Signing = 'valid' | 'none' | 'wrong_secret' | 'stale' | 'garbage';

interface Generated {
  body: Buffer;
  contentType: string | null;
  signing: Signing;
}

/** JSON with bigint values written as bare digits (TikTok's numeric ids, beyond JS precision). */
function bigJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? `__big:${v.toString()}__` : v,
  ).replace(/"__big:(-?\d+)__"/g, '$1');
}

/**
 * A property test of the webhook route: fast-check generates bodies from TikTok's shapes and far
 * outside them (any UTF-16 unit, NUL, lone surrogates, numbers for ids, every timestamp unit,
 * huge values, deep nesting, random bytes, JSON of any shape), with content types and signatures
 * good and bad. Through real HTTP (keep-alive) into an in-process Nest app with `rawBody: true`:
 * no 5xx, no unsigned body stored, no signed body lost, and processing never fails on any of them.
 */
describe('The webhook route under 100,000 generated bodies', () => {
  let host: LibraryHost;
  let businessId: string;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const signedBodies = new Map<string, Buffer>();
  const unsignedBodies = new Map<string, Buffer>();

  beforeAll(async () => {
    host = await startLibraryHost('forRoot');
    await new SandboxControl(host.sandbox.url).queueConsent('fuzzshop', 'business', 'approve');
    await followRedirects(`${host.url}/tiktok/oauth/authorize`);
    const { rows } = await host.db.query(`SELECT business_id FROM tiktok_accounts`);
    businessId = rows[0].business_id;
  });

  afterAll(async () => {
    agent.destroy();
    await host?.close();
  });

  function arbitraries() {
    const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
    const text = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.string({ unit: anyUnit, maxLength: 30 }),
      fc.constantFrom('\u0000', '\ud800', 'a\udc00b', '\u0000\ud83d', ''),
    );
    const id = fc.oneof(
      fc.string({ minLength: 1, maxLength: 12 }),
      fc.integer(),
      fc.bigInt({ min: 10n ** 15n, max: 10n ** 19n }),
      fc.double(),
      text,
      fc.constant(null),
      fc.constant('i'.repeat(5 * 1024)),
    );
    const now = Date.now();
    const timestamp = fc.oneof(
      fc.integer({ min: 1_700_000_000, max: Math.floor(now / 1000) }),
      fc.integer({ min: 1_700_000_000_000, max: now }),
      fc.double({ min: 1_700_000_000_000, max: now, noNaN: true }),
      fc.double(),
      fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }),
      fc.constantFrom(9e15, -1, 0, 1e308, 'abc', '1764000000', '1764000000123.5', null, true),
    );
    const user = fc.record(
      { id, role: fc.constantFrom('personal_account', 'business_account', 'BUSINESS_ACCOUNT') },
      { requiredKeys: [] },
    );
    const message = fc.record(
      {
        conversation_id: fc.oneof(fc.constantFrom('fz-1', 'fz-2', 'fz-3'), id),
        message_id: id,
        timestamp,
        type: fc.oneof(
          fc.constantFrom(
            'text',
            'TEXT',
            'image',
            'IMAGE',
            'video',
            'sticker',
            'emoji',
            'share_post',
            'SHARE_POST',
            'reaction',
            'template',
            'hologram',
          ),
          text,
        ),
        text: fc.oneof(fc.record({ body: text }), text),
        image: fc.record({ media_id: id }),
        video: fc.record({ media_id: id }),
        sticker: fc.record({ url: text }),
        share_post: fc.record({ embed_url: text, video_id: id }, { requiredKeys: [] }),
        reaction: fc.oneof(
          fc.array(
            fc.record(
              {
                operation: fc.constantFrom('ADD', 'REMOVE', 'x'),
                emoji: text,
                original_msg_id: id,
                timestamp,
              },
              { requiredKeys: [] },
            ),
            { maxLength: 3 },
          ),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        template: fc.jsonValue({ maxDepth: 3 }),
        from_user: fc.oneof(user, fc.constant({ id: 'fz-customer' }), fc.constant(businessId)),
        to_user: fc.oneof(user, fc.constant({ id: businessId })),
        unique_identifier: id,
        referenced_message_info: fc.record({ referenced_message_id: id }),
        read: fc.record({ last_read_timestamp: timestamp }),
        is_follower: fc.oneof(fc.boolean(), text),
        referral: fc.jsonValue({ maxDepth: 2 }),
        extra: fc.jsonValue({ maxDepth: 4 }),
      },
      { requiredKeys: [] },
    );
    const envelope = fc.record(
      {
        client_key: fc.oneof(fc.constant('app'), text),
        event: fc.oneof(
          fc.constantFrom(
            'im_receive_msg',
            'im_send_msg',
            'im_mark_read_msg',
            'im_referral_msg',
            'im_receive_msg_eu',
            'im_auto_message_welcome',
          ),
          text,
        ),
        create_time: timestamp,
        // Mostly a business nobody connected (processing stops early), sometimes the real one.
        user_openid: fc.oneof(
          { weight: 3, arbitrary: fc.constant('biz_not_connected') },
          { weight: 1, arbitrary: fc.constant(businessId) },
          { weight: 1, arbitrary: id },
        ),
        content: fc.oneof(
          { weight: 4, arbitrary: message.map((m) => bigJson(m)) },
          { weight: 2, arbitrary: message },
          { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
          { weight: 1, arbitrary: text },
        ),
      },
      { requiredKeys: [] },
    );
    const deep = fc
      .tuple(fc.integer({ min: 1, max: 6000 }), fc.boolean())
      .map(([depth, asContent]) => {
        const nested = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
        return asContent
          ? `{"event":"im_receive_msg","user_openid":"biz_not_connected","content":${JSON.stringify(
              `{"conversation_id":"fz-1","message_id":"deep-${depth}","type":"text","n":${nested}}`,
            )}}`
          : nested;
      });
    const body = fc.oneof(
      { weight: 12, arbitrary: envelope.map((e) => Buffer.from(bigJson(e))) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)) },
      { weight: 1, arbitrary: fc.json().map((j) => Buffer.from(j)) },
      { weight: 1, arbitrary: deep.map((d) => Buffer.from(d)) },
    );
    return fc.record<Generated>({
      body,
      contentType: fc.constantFrom(
        'application/json',
        'application/json',
        'application/json; charset=utf-8',
        'text/plain',
        null,
        'application/octet-stream',
        'application/json; charset=latin1',
        'application/x-www-form-urlencoded',
      ),
      signing: fc.constantFrom<Signing>(
        'valid',
        'valid',
        'none',
        'wrong_secret',
        'stale',
        'garbage',
      ),
    });
  }

  function send(item: Generated): Promise<number> {
    const headers: Record<string, string | number> = { 'content-length': item.body.length };
    if (item.contentType) headers['content-type'] = item.contentType;
    const now = Math.floor(Date.now() / 1000);
    if (item.signing === 'valid')
      headers['tiktok-signature'] = signTiktokPayload(host.appSecret, now, item.body);
    if (item.signing === 'wrong_secret')
      headers['tiktok-signature'] = signTiktokPayload('not-the-secret', now, item.body);
    if (item.signing === 'stale')
      headers['tiktok-signature'] = signTiktokPayload(host.appSecret, now - 3600, item.body);
    if (item.signing === 'garbage') headers['tiktok-signature'] = 't=abc,s=zz';
    const url = new URL(`${host.url}/tiktok/webhook`);
    return new Promise((resolve, reject) => {
      const request = http.request(
        { method: 'POST', host: url.hostname, port: url.port, path: url.pathname, headers, agent },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      request.on('error', reject);
      request.end(item.body);
    });
  }

  const hash = (body: Buffer) => createHash('sha256').update(body).digest('hex');

  it(
    'never answers 5xx, stores every signed body and no unsigned one, and processes them all without failing',
    async () => {
      let sent = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(arbitraries(), { minLength: BATCH, maxLength: BATCH }),
          async (batch) => {
            const statuses = await Promise.all(batch.map((item) => send(item)));
            sent += batch.length;
            batch.forEach((item, index) => {
              const status = statuses[index];
              if (item.signing === 'valid') {
                // Signed: stored and 200; a body over a size limit is the only refusal.
                expect([200, 413]).toContain(status);
                if (status === 200) signedBodies.set(hash(item.body), item.body);
              } else {
                expect(status).toBe(401);
                unsignedBodies.set(hash(item.body), item.body);
              }
            });
          },
        ),
        { numRuns: Math.ceil(BODIES / BATCH), seed: SEED, endOnFailure: true },
      );
      expect(sent).toBeGreaterThanOrEqual(BODIES);

      const { rows } = await host.db.query<{ digest: string; dedupe_key: string }>(
        `SELECT encode(sha256(raw_body), 'hex') AS digest, dedupe_key FROM tiktok_webhook_events`,
      );
      const digests = new Set(rows.map((row) => row.digest));
      const keys = new Set(rows.map((row) => row.dedupe_key));
      // Lost: neither its bytes nor its key (a redelivery of the same TikTok event) were stored.
      const lost = [...signedBodies.entries()].filter(
        ([digest, body]) => !digests.has(digest) && !keys.has(parseWebhook(body).dedupeKey),
      );
      expect(lost.map(([, body]) => body.toString('utf8').slice(0, 200))).toEqual([]);
      const leaked = [...unsignedBodies.keys()].filter(
        (digest) => !signedBodies.has(digest) && digests.has(digest),
      );
      expect(leaked).toEqual([]);

      await host.app.get(InboundProcessor).settle();
      const { rows: failures } = await host.db.query(
        `SELECT event, status, attempts, last_error, left(convert_from(raw_body, 'SQL_ASCII'), 200) AS body
         FROM tiktok_webhook_events WHERE attempts > 0 OR status = 'failed' LIMIT 5`,
      );
      expect(failures).toEqual([]);
    },
    30 * 60_000,
  );
});
