import { gzipSync } from 'node:zlib';
import { VersioningType, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { Client } from 'pg';
import { TiktokChannelModule } from '../../libs/tiktok-channel/src';
import { signTiktokPayload } from '../../libs/tiktok-channel/src/testing';
import { generateDemoSecrets } from '../../apps/helpdesk/src/demo/demo-secrets';
import { freePort } from '../../apps/helpdesk/src/database/free-port';
import { libraryTestModule } from '../support/library-host';
import { RecordingPort } from '../support/recording-port';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const MAX_WEBHOOK_BYTES = 64 * 1024;
/** Set by an Express middleware of the host: present on every answer Express gave. */
const THROUGH_EXPRESS = 'x-through-express';
/** Where the hosts below put the route: a global prefix and URI versioning. */
const ROUTE = '/api/v1/tiktok/webhook';

interface Answer {
  status: number;
  body: unknown;
  throughExpress: boolean;
}

/**
 * `webhookFastPath`: deliveries answered ahead of Express, on the route as Express registered it,
 * with the controller's answers; everything else left to Express. Two hosts share one database,
 * one with the fast path and one without, so every answer can be compared with the controller's.
 */
describe('Webhook fast path', () => {
  let database: TestDatabase;
  let db: Client;
  const secrets = generateDemoSecrets();
  let fast: { app: INestApplication; url: string };
  let controller: { app: INestApplication; url: string };
  let seq = 0;

  async function startHost(
    webhookFastPath: boolean,
  ): Promise<{ app: INestApplication; url: string }> {
    const url = `http://127.0.0.1:${await freePort()}`;
    const module = libraryTestModule({
      databaseUrl: database.url,
      channel: TiktokChannelModule.forRoot({
        appId: secrets.appId,
        appSecret: secrets.appSecret,
        apiBaseUrl: 'http://127.0.0.1:9/open_api',
        authorizeUrl: 'http://127.0.0.1:9/auth',
        redirectUri: `${url}/tiktok/oauth/callback`,
        tokenEncryptionKeys: secrets.tokenEncryptionKeys,
        resolveConnectContext: () => ({ tenant: 't1', returnUrl: '/done' }),
        enableBackgroundJobs: false,
        inboundProcessingPaused: true,
        maxWebhookBytes: MAX_WEBHOOK_BYTES,
        webhookFastPath,
        helpdeskPort: RecordingPort,
      }),
    });
    const app = await NestFactory.create(module, { rawBody: true, logger: false });
    app.setGlobalPrefix('api');
    app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
    app.use((_req: Request, res: Response, next: NextFunction) => {
      res.setHeader(THROUGH_EXPRESS, '1');
      next();
    });
    await app.listen(Number(new URL(url).port), '127.0.0.1');
    return { app, url };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    controller = await startHost(false);
    fast = await startHost(true);
    db = new Client({ connectionString: database.url });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await fast?.app.close();
    await controller?.app.close();
    await database?.drop();
  });

  function delivery(): Buffer {
    seq++;
    return Buffer.from(
      JSON.stringify({
        client_key: 'app',
        event: 'im_receive_msg',
        create_time: Math.floor(Date.now() / 1000),
        user_openid: 'biz-fast',
        content: JSON.stringify({
          conversation_id: 'c-fast',
          message_id: `fast-${seq}`,
          timestamp: Date.now(),
          type: 'text',
          text: { body: `message ${seq}` },
          from_user: { id: 'user-fast', role: 'personal_account' },
          to_user: { id: 'biz-fast', role: 'business_account' },
        }),
      }),
    );
  }

  async function post(
    url: string,
    body: Buffer,
    options: {
      path?: string;
      headers?: Record<string, string>;
      signed?: boolean;
      /** Sent without a Content-Length, in two chunks. */
      chunked?: boolean;
    } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      ...options.headers,
    };
    if (options.signed !== false && headers['tiktok-signature'] === undefined) {
      headers['tiktok-signature'] = signTiktokPayload(
        secrets.appSecret,
        Math.floor(Date.now() / 1000),
        body,
      );
    }
    const half = body.length >> 1;
    const response = await fetch(`${url}${options.path ?? ROUTE}`, {
      method: 'POST',
      headers,
      ...(options.chunked
        ? {
            body: new ReadableStream<Uint8Array>({
              start(stream) {
                stream.enqueue(body.subarray(0, half));
                stream.enqueue(body.subarray(half));
                stream.close();
              },
            }),
            duplex: 'half',
          }
        : { body }),
    } as RequestInit);
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: compared as text
    }
    return {
      status: response.status,
      body: parsed,
      throughExpress: response.headers.get(THROUGH_EXPRESS) === '1',
    };
  }

  async function storedBodies(body: Buffer): Promise<Buffer[]> {
    const { rows } = await db.query<{ raw_body: Buffer }>(
      `SELECT raw_body FROM tiktok_webhook_events WHERE raw_body = $1`,
      [body],
    );
    return rows.map((row) => row.raw_body);
  }

  it('takes a delivery on the route Express registered (global prefix, version) and keeps its bytes', async () => {
    const body = delivery();
    const answer = await post(fast.url, body);
    expect(answer).toEqual({
      status: 200,
      body: { received: true, duplicate: false },
      throughExpress: false,
    });
    expect(await storedBodies(body)).toEqual([body]);
    const chunked = delivery();
    expect(await post(fast.url, chunked, { chunked: true })).toMatchObject({
      status: 200,
      throughExpress: false,
    });
    expect(await storedBodies(chunked)).toEqual([chunked]);
    // Express matches paths case-insensitively by default, and so does the fast path.
    const again = await post(fast.url, body, { path: ROUTE.toUpperCase() });
    expect(again).toEqual({
      status: 200,
      body: { received: true, duplicate: true },
      throughExpress: false,
    });
  });

  it('leaves other paths and methods to Express, the unprefixed path included', async () => {
    const body = delivery();
    const unprefixed = await post(fast.url, body, { path: '/tiktok/webhook' });
    expect(unprefixed).toMatchObject({ status: 404, throughExpress: true });
    const get = await fetch(`${fast.url}${ROUTE}`);
    await get.arrayBuffer();
    expect(get.status).toBe(404);
    expect(get.headers.get(THROUGH_EXPRESS)).toBe('1');
    expect(await storedBodies(body)).toEqual([]);
  });

  it('answers 401, 413 and 200 (redelivery) exactly as the controller does', async () => {
    const cases: Array<{ name: string; body: () => Buffer; options?: Parameters<typeof post>[2] }> =
      [
        { name: 'unsigned', body: delivery, options: { signed: false } },
        {
          name: 'wrong signature',
          body: delivery,
          options: { headers: { 'tiktok-signature': `t=${Math.floor(Date.now() / 1000)},s=00` } },
        },
        {
          name: 'malformed header',
          body: delivery,
          options: { headers: { 'tiktok-signature': 'x' } },
        },
        {
          name: 'stale',
          body: delivery,
          options: {
            headers: {
              'tiktok-signature': signTiktokPayload(secrets.appSecret, 1, Buffer.from('')),
            },
          },
        },
        {
          name: 'over maxWebhookBytes',
          body: () => Buffer.alloc(MAX_WEBHOOK_BYTES + 1, 0x61),
          options: { headers: { 'content-type': 'text/plain' } },
        },
        {
          name: 'over maxWebhookBytes, no Content-Length',
          body: () => Buffer.alloc(MAX_WEBHOOK_BYTES + 1, 0x61),
          options: { headers: { 'content-type': 'text/plain' }, chunked: true },
        },
      ];
    for (const { name, body, options } of cases) {
      const bytes = body();
      const viaController = await post(controller.url, bytes, options);
      const viaFastPath = await post(fast.url, bytes, options);
      expect({ name, status: viaFastPath.status, body: viaFastPath.body }).toEqual({
        name,
        status: viaController.status,
        body: viaController.body,
      });
      expect(viaFastPath.throughExpress).toBe(false);
    }
    // The same event through both: the second host sees the first one's row.
    const body = delivery();
    expect((await post(controller.url, body)).body).toEqual({ received: true, duplicate: false });
    expect((await post(fast.url, body)).body).toEqual({ received: true, duplicate: true });
  });

  it('answers 503 as the controller does when the database cannot take the write', async () => {
    const body = delivery();
    await db.query(`ALTER TABLE tiktok_webhook_events RENAME TO tiktok_webhook_events_away`);
    let viaController: Answer;
    let viaFastPath: Answer;
    try {
      viaController = await post(controller.url, body);
      viaFastPath = await post(fast.url, body);
    } finally {
      await db.query(`ALTER TABLE tiktok_webhook_events_away RENAME TO tiktok_webhook_events`);
    }
    expect(viaFastPath.status).toBe(503);
    expect(viaFastPath).toEqual({ ...viaController, throughExpress: false });
    expect((await post(fast.url, body)).status).toBe(200);
  });

  it('passes a gzip-encoded delivery to Express, which inflates it for the controller', async () => {
    const body = delivery();
    const answer = await post(fast.url, gzipSync(body), {
      headers: {
        'content-encoding': 'gzip',
        'tiktok-signature': signTiktokPayload(
          secrets.appSecret,
          Math.floor(Date.now() / 1000),
          body,
        ),
      },
      signed: false,
    });
    expect(answer).toEqual({
      status: 200,
      body: { received: true, duplicate: false },
      throughExpress: true,
    });
    expect(await storedBodies(body)).toEqual([body]);
  });
});
