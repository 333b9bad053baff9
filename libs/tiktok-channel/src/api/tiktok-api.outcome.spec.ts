import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { TiktokApiClient } from './tiktok-api.client';
import {
  ACCESS_TOKEN,
  APP_ID,
  APP_SECRET,
  failureOf,
  ok,
  startFakeTiktok,
  type FakeTiktok,
} from './testing/fake-tiktok';

const TO = { businessId: 'biz_0001', conversationId: 'conv_1+a' };

let tiktok: FakeTiktok;
let client: TiktokApiClient;

beforeEach(async () => {
  tiktok = await startFakeTiktok();
  client = new TiktokApiClient({
    apiBaseUrl: tiktok.baseUrl,
    appId: APP_ID,
    appSecret: APP_SECRET,
    timeoutMs: 300,
  });
});

afterEach(async () => {
  await tiktok.close();
});

describe('Whether a failed call may have been carried out', () => {
  it('says a send that timed out after it left may have been carried out', async () => {
    tiktok.reply({ hang: true });

    const error = await failureOf(client.sendText(ACCESS_TOKEN, { ...TO, text: 'hi' }));

    expect(error.errorClass).toBe('transient');
    expect(error.outcomeUnknown).toBe(true);
  });

  it('says a send whose connection dropped before the answer may have been carried out', async () => {
    tiktok.reply({ resetAfterBytes: 0 });

    const error = await failureOf(client.sendText(ACCESS_TOKEN, { ...TO, text: 'hi' }));

    expect(error.outcomeUnknown).toBe(true);
  });

  it('says a bare HTTP 502 may hide a send that was carried out', async () => {
    tiktok.reply({ status: 502, text: 'Bad Gateway', headers: { 'content-type': 'text/plain' } });

    const error = await failureOf(client.sendText(ACCESS_TOKEN, { ...TO, text: 'hi' }));

    expect(error.errorClass).toBe('transient');
    expect(error.outcomeUnknown).toBe(true);
  });

  it('says a refusal in TikTok’s envelope was not carried out', async () => {
    tiktok.reply({ json: { code: 40100, message: 'Too many requests', data: {} } });

    const error = await failureOf(client.sendText(ACCESS_TOKEN, { ...TO, text: 'hi' }));

    expect(error.errorClass).toBe('rate_limited');
    expect(error.outcomeUnknown).toBe(false);
  });

  it('says a connection that was refused never carried anything out', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const nowhere = new TiktokApiClient({
      apiBaseUrl: `http://127.0.0.1:${port}/open_api/v1.3/`,
      appId: APP_ID,
      appSecret: APP_SECRET,
    });

    const error = await failureOf(nowhere.sendText(ACCESS_TOKEN, { ...TO, text: 'hi' }));

    expect(error.errorClass).toBe('transient');
    expect(error.outcomeUnknown).toBe(false);
  });
});

describe('A bare 401 or 403', () => {
  it.each([401, 403])(
    'on a call with an Access-Token is an authorization problem to refresh for (HTTP %d)',
    async (status) => {
      tiktok.reply({ status, text: 'Forbidden', headers: { 'content-type': 'text/plain' } });

      const error = await failureOf(client.sendText(ACCESS_TOKEN, { ...TO, text: 'hi' }));

      expect(error.errorClass).toBe('auth_expired');
      expect(error.httpStatus).toBe(status);
      expect(error.outcomeUnknown).toBe(false);
    },
  );

  it('on the refresh call, which carries no Access-Token, keeps its own classification', async () => {
    tiktok.reply({ status: 401, text: 'Unauthorized', headers: { 'content-type': 'text/plain' } });

    const error = await failureOf(client.refreshAccessToken('rft.x'));

    expect(error.errorClass).not.toBe('auth_expired');
  });

  it('still lets a TikTok code in the body decide', async () => {
    tiktok.reply({ status: 403, json: { code: 40001, message: 'scope', data: {} } });

    const error = await failureOf(client.sendText(ACCESS_TOKEN, { ...TO, text: 'hi' }));

    expect(error.errorClass).toBe('auth_revoked');
    tiktok.reply(ok({}));
  });
});
