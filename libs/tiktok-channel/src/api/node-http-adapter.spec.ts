import axios, { isAxiosError, type AxiosInstance } from 'axios';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { keepAliveAdapter } from './node-http-adapter';
import { TiktokApiError } from './tiktok-api.error';
import { TiktokHttp } from './tiktok-http';

interface Seen {
  method: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

let server: Server;
let origin: string;
let connections: number;
const sockets = new Set<Socket>();
let seen: Seen[];
let answer: (request: IncomingMessage, response: ServerResponse) => void;

beforeEach(async () => {
  connections = 0;
  seen = [];
  answer = (_request, response) =>
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"code":0}');
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({
        method: request.method ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks),
      });
      answer(request, response);
    });
  });
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function post(http: TiktokHttp, body: string | FormData, path = '/open_api/v1.3/x/?secret=s1') {
  return http.send({
    method: 'POST',
    url: new URL(path, origin),
    endpoint: 'x/',
    headers:
      typeof body === 'string'
        ? { 'Content-Type': 'application/json', 'Access-Token': 'act.t' }
        : { 'Access-Token': 'act.t' },
    body,
    timeoutMs: 5000,
  });
}

/** The adapter on an instance of its own, configured as TiktokHttp.send configures a call. */
function leanInstance(): AxiosInstance {
  return axios.create({
    adapter: keepAliveAdapter(),
    responseType: 'arraybuffer',
    maxRedirects: 0,
    proxy: false,
    transformResponse: [],
    validateStatus: () => true,
  });
}

describe('the keep-alive axios adapter', () => {
  it('sends the body and headers as written, and reuses one connection for sequential calls', async () => {
    const http = new TiktokHttp();
    for (let n = 0; n < 5; n++) {
      const response = await post(http, `{"n":${n},"é":true}`);
      expect(response.status).toBe(200);
      expect(response.body.toString()).toBe('{"code":0}');
      expect(response.headers['content-type']).toBe('application/json');
    }
    expect(seen.map((request) => request.body.toString())).toEqual(
      [0, 1, 2, 3, 4].map((n) => `{"n":${n},"é":true}`),
    );
    expect(seen[0].method).toBe('POST');
    expect(seen[0].headers['access-token']).toBe('act.t');
    expect(seen[0].headers['content-length']).toBe(String(Buffer.byteLength('{"n":0,"é":true}')));
    expect(seen[0].headers['user-agent']).toMatch(/^axios\//);
    expect(connections).toBe(1);
  });

  it('reads a compressed answer, though it never asks for one', async () => {
    answer = (_request, response) =>
      response
        .writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
        .end(gzipSync('{"code":0,"data":{"ok":1}}'));
    const response = await post(new TiktokHttp(), '{}');
    expect(response.body.toString()).toBe('{"code":0,"data":{"ok":1}}');
    expect(seen[0].headers['accept-encoding']).toBeUndefined();
  });

  it("leaves a multipart upload to axios's http adapter", async () => {
    const form = new FormData();
    form.append('business_id', 'biz_1');
    form.append('file', new Blob([Buffer.from('PNGDATA')], { type: 'image/png' }), 'a.png');
    const response = await post(new TiktokHttp(), form);
    expect(response.status).toBe(200);
    expect(seen[0].headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(seen[0].body.toString()).toContain('PNGDATA');
  });

  it('aborts on the signal, answering a cancellation', async () => {
    answer = () => undefined;
    const controller = new AbortController();
    const pending = leanInstance().post(`${origin}/x`, '{}', { signal: controller.signal });
    await new Promise<void>((resolve) => {
      const wait = () => (seen.length > 0 ? resolve() : setImmediate(wait));
      wait();
    });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ERR_CANCELED' });
  });

  it('fails with ETIMEDOUT when the socket stays idle past the timeout', async () => {
    answer = () => undefined;
    const error: unknown = await leanInstance()
      .post(`${origin}/x`, '{}', { timeout: 50 })
      .catch((e: unknown) => e);
    expect(isAxiosError(error) && error.code).toBe('ETIMEDOUT');
  });

  it('still hits the no-internet guard of the tests for a host off this machine', async () => {
    const connect = jest.spyOn(net.Socket.prototype, 'connect');
    try {
      const error: unknown = await new TiktokHttp()
        .send({
          method: 'POST',
          url: new URL('https://business-api.tiktok.com/open_api/v1.3/x/'),
          endpoint: 'x/',
          headers: { 'Content-Type': 'application/json' },
          body: '{}',
          timeoutMs: 5000,
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TiktokApiError);
      const thrown = connect.mock.results.filter((result) => result.type === 'throw');
      expect(String((thrown[0]?.value as Error | undefined)?.message)).toContain(
        'Unmocked host in tests: business-api.tiktok.com',
      );
    } finally {
      connect.mockRestore();
    }
  });
});
