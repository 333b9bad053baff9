import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpAdapterHost } from '@nestjs/core';
import express from 'express';
import type { TiktokChannelConfig } from '../tiktok-channel.config';
import { WebhookFastPath } from './webhook-fast-path';
import { WEBHOOK_ROUTE_MARKER } from './webhook-fast-path.routes';
import type { WebhookIntake } from './webhook-intake.service';

/**
 * The fast path on a bare Express app (the Nest side is in test/library/webhook-fast-path.spec.ts):
 * what it does when intake throws, when the route is missing, and with strict routing.
 */
describe('WebhookFastPath', () => {
  let server: Server | undefined;

  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  async function start(options: {
    marked?: boolean;
    strict?: boolean;
    receive: WebhookIntake['receive'];
  }): Promise<string> {
    const app = express();
    if (options.strict) app.set('strict routing', true);
    const handler = (_req: express.Request, res: express.Response) => {
      res.status(299).json({ via: 'express' });
    };
    if (options.marked !== false) Reflect.defineMetadata(WEBHOOK_ROUTE_MARKER, true, handler);
    app.post('/tiktok/webhook', handler);
    server = createServer(app);
    const fastPath = new WebhookFastPath(
      {
        httpAdapter: { getHttpServer: () => server, getInstance: () => app },
      } as unknown as HttpAdapterHost,
      { webhookFastPath: true, maxWebhookBytes: 1024 } as TiktokChannelConfig,
      { receive: options.receive } as WebhookIntake,
    );
    fastPath.onModuleInit();
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  }

  async function post(url: string): Promise<{ status: number; body: unknown }> {
    const response = await fetch(url, { method: 'POST', body: '{}' });
    return { status: response.status, body: await response.json() };
  }

  it('answers 500 as Nest would when intake throws, and keeps serving', async () => {
    let calls = 0;
    const url = await start({
      receive: async () => {
        if (++calls === 1) throw new Error('boom');
        return { status: 200, body: { received: true, duplicate: false } };
      },
    });
    expect(await post(`${url}/tiktok/webhook`)).toEqual({
      status: 500,
      body: { statusCode: 500, message: 'Internal server error' },
    });
    expect(await post(`${url}/tiktok/webhook`)).toEqual({
      status: 200,
      body: { received: true, duplicate: false },
    });
  });

  it('leaves every request to Express when the marked route is not there', async () => {
    const url = await start({ marked: false, receive: () => Promise.reject(new Error('unused')) });
    expect(await post(`${url}/tiktok/webhook`)).toEqual({ status: 299, body: { via: 'express' } });
  });

  it("follows Express's strict routing: a trailing slash is not the route", async () => {
    const ok = { status: 200 as const, body: { received: true as const, duplicate: false } };
    const url = await start({ strict: true, receive: async () => ok });
    expect(await post(`${url}/tiktok/webhook`)).toEqual(ok);
    const slash = await fetch(`${url}/tiktok/webhook/`, { method: 'POST', body: '{}' });
    await slash.arrayBuffer();
    expect(slash.status).toBe(404);
  });
});
