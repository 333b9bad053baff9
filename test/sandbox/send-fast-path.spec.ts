import { gzipSync } from 'node:zlib';
import { RunningSandbox } from 'tiktok-sandbox';
import { SendFastPath } from '../../apps/tiktok-sandbox/src/send-fast-path';
import {
  TokenData,
  WebhookReceiver,
  connectAccount,
  control,
  createUser,
  registerWebhook,
  startTestSandbox,
  userWrites,
} from './sandbox-kit';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

const SEND_URL_PATH = 'business/message/send/';
const SEND_PATH = '/business/message/send/';

/**
 * The fast path must answer exactly what the framework path answers. Each call is made twice:
 * once as it comes (the fast path takes it), once with a 1 ms latency planned for the path
 * (anything planned sends the call through Express and Nest); the answers are compared, ids and
 * times aside.
 */
describe('sandbox send fast path', () => {
  let sandbox: RunningSandbox;
  let receiver: WebhookReceiver;
  let shop: TokenData;
  let conversationId: string;
  const served = jest.spyOn(SendFastPath.prototype, 'serve');

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    receiver = await new WebhookReceiver().start();
  });
  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
    served.mockRestore();
  });
  beforeEach(async () => {
    await control(sandbox, 'POST', '/sandbox/reset');
    receiver.clear();
    shop = await connectAccount(sandbox, 'shopfast');
    const mia = await createUser(sandbox, 'mia.fast');
    ({ conversationId } = await userWrites(sandbox, mia, shop.open_id, 'Hi'));
    served.mockClear();
  });

  async function call(raw: string | undefined, headers: Record<string, string>): Promise<Answer> {
    const response = await fetch(new URL(SEND_URL_PATH, sandbox.apiBaseUrl), {
      method: 'POST',
      headers,
      body: raw,
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: Object.fromEntries(response.headers.entries()),
      body: JSON.parse(text) as Record<string, unknown>,
    };
  }

  /** Both paths' answers to the same call; `fast` says whether the first took the fast path. */
  async function bothWays(
    raw: string | undefined,
    headers: Record<string, string> = {},
  ): Promise<{ fast: Answer; framework: Answer; tookFastPath: boolean }> {
    const all = { 'Content-Type': 'application/json', ...headers };
    const before = served.mock.calls.length;
    const fast = await call(raw, all);
    const tookFastPath = served.mock.calls.length === before + 1;
    await control(sandbox, 'POST', '/sandbox/latency', { path: SEND_PATH, ms: 1 });
    try {
      const framework = await call(raw, all);
      expect(served.mock.calls.length).toBe(before + (tookFastPath ? 1 : 0));
      return { fast, framework, tookFastPath };
    } finally {
      await control(sandbox, 'POST', '/sandbox/latency', { path: SEND_PATH, ms: 0 });
    }
  }

  /** The answer without what differs on every call: ids, the clock, and the ETag built on them. */
  function comparable(answer: Answer): unknown {
    const { date, etag, ...headers } = answer.headers;
    const idLength = (value: unknown) => (typeof value === 'string' ? value.length : value);
    const data = answer.body.data as { message?: { message_id?: string } } | undefined;
    return {
      status: answer.status,
      headers,
      hasDate: typeof date === 'string',
      etag: /^W\/"[0-9a-f]+-[A-Za-z0-9+/]{27}"$/.test(etag ?? '') ? 'weak' : etag,
      body: {
        ...answer.body,
        request_id: idLength(answer.body.request_id),
        data:
          data?.message?.message_id !== undefined
            ? { message: { message_id: idLength(data.message.message_id) } }
            : data,
      },
    };
  }

  function sendBody(overrides: Record<string, unknown> = {}): string {
    return JSON.stringify({
      business_id: shop.open_id,
      recipient_type: 'CONVERSATION',
      recipient: conversationId,
      message_type: 'TEXT',
      text: { body: 'Thanks for writing!' },
      ...overrides,
    });
  }

  it('answers a send as the framework does, and the message and its echo go out', async () => {
    await registerWebhook(sandbox, receiver.url);
    const { fast, framework, tookFastPath } = await bothWays(sendBody(), {
      'Access-Token': shop.access_token,
    });
    expect(tookFastPath).toBe(true);
    expect(fast.body.code).toBe(0);
    expect(comparable(fast)).toEqual(comparable(framework));
    const echoes = await receiver.waitForCount(2);
    expect(echoes.map((echo) => echo.body.event)).toEqual(['im_send_msg', 'im_send_msg']);
    const { body: stats } = await control<{ requests: Record<string, number> }>(
      sandbox,
      'GET',
      '/sandbox/stats',
    );
    expect(stats.requests[`/open_api/v1.3${SEND_PATH}`]).toBe(2);
  });

  it("dates its answer by TikTok's clock, as the framework does", async () => {
    await control(sandbox, 'POST', '/sandbox/clock', { offsetSeconds: 3_600 });
    try {
      const { fast, framework, tookFastPath } = await bothWays(sendBody(), {
        'Access-Token': shop.access_token,
      });
      expect(tookFastPath).toBe(true);
      // An hour ahead of this machine: the two answers are seconds apart, not an hour.
      const apart = Math.abs(Date.parse(fast.headers.date) - Date.parse(framework.headers.date));
      expect(apart).toBeLessThan(600_000);
      expect(Date.parse(fast.headers.date) - Date.now()).toBeGreaterThan(3_000_000);
    } finally {
      await control(sandbox, 'POST', '/sandbox/clock', { offsetSeconds: 0 });
    }
  });

  it('answers every refusal as the framework does', async () => {
    const cases: Array<[string, string | undefined, Record<string, string>]> = [
      ['no token', sendBody(), {}],
      ['bearer instead', sendBody(), { Authorization: `Bearer ${shop.access_token}` }],
      ['unknown token', sendBody(), { 'Access-Token': 'act.nope' }],
      ['no recipient', sendBody({ recipient: undefined }), { 'Access-Token': shop.access_token }],
      ['bad type', sendBody({ message_type: 'NOPE' }), { 'Access-Token': shop.access_token }],
      ['malformed JSON', '{"business_id": ', { 'Access-Token': shop.access_token }],
      ['a JSON string', '"hello"', { 'Access-Token': shop.access_token }],
      [
        'charset',
        sendBody(),
        { 'Access-Token': 'x', 'Content-Type': 'application/json; charset=utf-8' },
      ],
    ];
    for (const [name, raw, headers] of cases) {
      const { fast, framework, tookFastPath } = await bothWays(raw, headers);
      expect({ name, tookFastPath }).toEqual({ name, tookFastPath: true });
      expect({ name, answer: comparable(fast) }).toEqual({ name, answer: comparable(framework) });
      expect({ name, code: fast.body.code }).not.toEqual({ name, code: 0 });
    }
  });

  it('answers 40100 past the rate limit, in the envelope the framework uses for refusals', async () => {
    await control(sandbox, 'POST', '/sandbox/rate-limit', { perSecond: 1 });
    try {
      const headers = { 'Content-Type': 'application/json', 'Access-Token': shop.access_token };
      const answers = [
        await call(sendBody(), headers),
        await call(sendBody(), headers),
        await call(sendBody(), headers),
      ];
      expect(served).toHaveBeenCalledTimes(3);
      const limited = answers.find((answer) => answer.body.code === 40100);
      expect(limited).toBeDefined();
      // Another refusal through the framework: the same status and headers, its own message.
      const { framework } = await bothWays(sendBody(), { 'Access-Token': 'act.nope' });
      const shape = (answer: Answer) => ({
        status: answer.status,
        names: Object.keys(answer.headers).sort(),
        type: answer.headers['content-type'],
        keys: Object.keys(answer.body).sort(),
      });
      expect(shape(limited as Answer)).toEqual(shape(framework));
    } finally {
      await control(sandbox, 'POST', '/sandbox/rate-limit', { perSecond: 10 });
    }
  });

  it('leaves a call with a planned fault to the framework, which answers the fault', async () => {
    await control(sandbox, 'POST', '/sandbox/faults', { path: SEND_PATH, code: 50002, times: 1 });
    const answer = await call(sendBody(), {
      'Content-Type': 'application/json',
      'Access-Token': shop.access_token,
    });
    expect(answer.body.code).toBe(50002);
    expect(served).not.toHaveBeenCalled();
  });

  it('leaves another type, an empty, compressed or oversized body and a query string to the framework', async () => {
    const token = { 'Access-Token': shop.access_token };
    await call(sendBody(), { ...token, 'Content-Type': 'text/plain' });
    await call(undefined, { ...token, 'Content-Type': 'application/json' });
    const response = await fetch(new URL(`${SEND_URL_PATH}?x=1`, sandbox.apiBaseUrl), {
      method: 'POST',
      headers: { ...token, 'Content-Type': 'application/json' },
      body: sendBody(),
    });
    expect(((await response.json()) as { code: number }).code).toBe(0);
    const zipped = await fetch(new URL(SEND_URL_PATH, sandbox.apiBaseUrl), {
      method: 'POST',
      headers: { ...token, 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body: gzipSync(sendBody()),
    });
    expect(((await zipped.json()) as { code: number }).code).toBe(0);
    // Over body-parser's 100 KB: the framework refuses it as not valid JSON.
    const huge = await call(sendBody({ padding: 'x'.repeat(101 * 1024) }), {
      ...token,
      'Content-Type': 'application/json',
    });
    expect(huge.body.message).toBe('The request body is not valid JSON.');
    expect(served).not.toHaveBeenCalled();
  });
});
