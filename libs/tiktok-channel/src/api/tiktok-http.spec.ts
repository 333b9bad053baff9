import axios, { AxiosError, isAxiosError, type AxiosInstance } from 'axios';
import { inspect } from 'node:util';
import { TiktokApiClient } from './tiktok-api.client';
import { TiktokApiError } from './tiktok-api.error';
import {
  ACCESS_TOKEN,
  APP_ID,
  APP_SECRET,
  BASE_PATH,
  failureOf,
  ok,
  startFakeTiktok,
  type FakeTiktok,
} from './testing/fake-tiktok';

let tiktok: FakeTiktok;
/** Where a redirect points: anything arriving here is a leak. */
let elsewhere: FakeTiktok;

beforeEach(async () => {
  tiktok = await startFakeTiktok();
  elsewhere = await startFakeTiktok();
});

afterEach(async () => {
  await tiktok.close();
  await elsewhere.close();
});

function clientWith(options: { timeoutMs?: number; http?: AxiosInstance } = {}): TiktokApiClient {
  return new TiktokApiClient({
    apiBaseUrl: tiktok.baseUrl,
    appId: APP_ID,
    appSecret: APP_SECRET,
    ...options,
  });
}

/** Every way the error could be rendered or walked by a logger, hidden properties included. */
function expectNothingSecretIn(error: unknown): void {
  expect(error).toBeInstanceOf(TiktokApiError);
  expect(isAxiosError(error)).toBe(false);
  const apiError = error as TiktokApiError;
  expect(apiError.cause).toBeUndefined();
  expect(Object.keys(apiError)).not.toContain('config');
  const renderings = [
    apiError.message,
    String(apiError),
    apiError.stack ?? '',
    JSON.stringify(apiError),
    inspect(apiError, { depth: Infinity, showHidden: true, getters: true }),
  ];
  for (const rendered of renderings) {
    expect(rendered).not.toContain(APP_SECRET);
    expect(rendered).not.toContain(ACCESS_TOKEN);
    expect(rendered).not.toContain('secret=');
    expect(rendered).not.toContain(tiktok.origin);
  }
}

describe('TiktokHttp redirects', () => {
  it('does not follow a 3xx, so the Access-Token never reaches the host it names', async () => {
    tiktok.reply({ status: 302, headers: { location: `${elsewhere.baseUrl}business/get/` } });

    const error = await failureOf(clientWith().getBusinessProfile(ACCESS_TOKEN, 'biz_0001'));

    expect(error.errorClass).toBe('invalid_request');
    expect(error.httpStatus).toBe(302);
    expect(error.message).toContain('TikTok answered a redirect');
    expect(error.message).not.toContain(elsewhere.origin);
    expect(tiktok.requests).toHaveLength(1);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('does not follow a redirect even when the host instance would', async () => {
    tiktok.reply({
      status: 307,
      headers: { location: `${elsewhere.baseUrl}business/webhook/list/` },
    });
    const following = axios.create({ maxRedirects: 5 });

    const error = await failureOf(clientWith({ http: following }).getWebhook());

    expect(error.errorClass).toBe('invalid_request');
    expect(elsewhere.requests).toHaveLength(0);
    expectNothingSecretIn(error);
  });
});

describe('TiktokHttp timeouts', () => {
  async function timedOut(call: (client: TiktokApiClient) => Promise<unknown>): Promise<void> {
    const started = Date.now();

    const error = await failureOf(call(clientWith({ timeoutMs: 200 })));

    expect(error.errorClass).toBe('transient');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('timed out after 200 ms');
    expect(Date.now() - started).toBeLessThan(2000);
    expectNothingSecretIn(error);
  }

  it('times out when the headers never come', async () => {
    tiktok.reply({ hang: true });
    await timedOut((client) => client.getWebhook());
  });

  it('times out when the headers come and the body then stalls', async () => {
    tiktok.reply({ stallAfterHeaders: true });
    await timedOut((client) => client.getWebhook());
  });

  it('times out on a body that trickles forever, which a socket idle timer would never catch', async () => {
    tiktok.reply({ trickleMs: 20 });
    await timedOut((client) => client.getBusinessProfile(ACCESS_TOKEN, 'biz_0001'));
  });
});

describe('TiktokHttp error hygiene', () => {
  it('never lets an AxiosError out of a refused connection, whose config holds the secret URL', async () => {
    const baseUrl = tiktok.baseUrl;
    await tiktok.close();
    const orphan = new TiktokApiClient({
      apiBaseUrl: baseUrl,
      appId: APP_ID,
      appSecret: APP_SECRET,
    });

    const error = await failureOf(orphan.getWebhook());

    expect(error.errorClass).toBe('transient');
    expect(error.message).toContain('ECONNREFUSED');
    expectNothingSecretIn(error);
    tiktok = await startFakeTiktok();
  });

  it('converts an AxiosError thrown by a host interceptor, quoting neither its message nor its config', async () => {
    const host = axios.create();
    host.interceptors.request.use((config) => {
      throw new AxiosError(`refused ${String(config.url)}`, 'ERR_HOST_POLICY', config);
    });

    const error = await failureOf(clientWith({ http: host }).getWebhook());

    expect(error.errorClass).toBe('transient');
    expect(error.message).toContain('ERR_HOST_POLICY');
    expect(tiktok.requests).toHaveLength(0);
    expectNothingSecretIn(error);
  });

  it('converts an error a host response interceptor throws after TikTok answered', async () => {
    const host = axios.create();
    host.interceptors.response.use((response) => {
      throw new AxiosError(
        `unwanted ${JSON.stringify(response.config.headers)}`,
        'ERR_HOST_POLICY',
        response.config,
        response.request,
        response,
      );
    });

    const error = await failureOf(clientWith({ http: host }).getBusinessProfile(ACCESS_TOKEN, 'b'));

    expect(error.errorClass).toBe('transient');
    expectNothingSecretIn(error);
  });
});

describe('TiktokHttp and the host instance', () => {
  /** Defaults a host might have set for its own calls; none of them may change ours. */
  function meddlingInstance(): AxiosInstance {
    return axios.create({
      baseURL: 'http://127.0.0.1:9/somewhere-else/',
      params: { injected: 'yes' },
      timeout: 60_000,
      maxRedirects: 5,
      validateStatus: (status) => status === 299,
      responseType: 'json',
      transformResponse: [() => ({ code: 0, data: { username: 'forged' } })],
      transitional: { forcedJSONParsing: true, silentJSONParsing: false },
      proxy: { protocol: 'http', host: '127.0.0.1', port: 9 },
      adapter: 'fetch',
      maxContentLength: 10,
    });
  }

  it('sends the same request and reads the same answer whatever the instance defaults say', async () => {
    tiktok.reply(ok({ username: 'shopdemo', display_name: 'Shop Demo' }));

    const profile = await clientWith({ http: meddlingInstance() }).getBusinessProfile(
      ACCESS_TOKEN,
      'biz_0001',
    );

    expect(profile.username).toBe('shopdemo');
    expect(tiktok.requests).toHaveLength(1);
    expect(tiktok.requests[0].pathname).toBe(`${BASE_PATH}business/get/`);
    expect(tiktok.requests[0].query.has('injected')).toBe(false);
  });

  it('still classifies statuses and applies its own timeout under those defaults', async () => {
    const client = clientWith({ http: meddlingInstance(), timeoutMs: 200 });

    tiktok.reply({ status: 503, text: 'busy' });
    const unavailable = await failureOf(client.getBusinessProfile(ACCESS_TOKEN, 'b'));
    expect(unavailable.errorClass).toBe('transient');
    expect(unavailable.httpStatus).toBe(503);

    tiktok.reply({ status: 302, headers: { location: elsewhere.baseUrl } });
    const redirect = await failureOf(client.getBusinessProfile(ACCESS_TOKEN, 'b'));
    expect(redirect.errorClass).toBe('invalid_request');
    expect(elsewhere.requests).toHaveLength(0);

    tiktok.reply({ stallAfterHeaders: true });
    const stalled = await failureOf(client.getBusinessProfile(ACCESS_TOKEN, 'b'));
    expect(stalled.message).toContain('timed out after 200 ms');
  });

  it('goes through the host instance, so its interceptors see the call', async () => {
    const host = axios.create();
    host.interceptors.request.use((config) => {
      config.headers.set('x-trace-id', 'trace-1');
      return config;
    });

    await clientWith({ http: host }).revokeAccessToken(ACCESS_TOKEN);

    expect(tiktok.requests[0].headers['x-trace-id']).toBe('trace-1');
  });
});
