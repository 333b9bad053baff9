import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebhookPoster } from '../../apps/tiktok-sandbox/src/webhook-poster';

type Handler = (request: IncomingMessage, response: ServerResponse, n: number) => void;

/** A callback that counts connections and requests, answering each with `handler`. */
async function callback(handler: Handler): Promise<{
  url: string;
  connections: () => number;
  requests: string[];
  close: () => Promise<void>;
}> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push(Buffer.concat(chunks).toString('utf8'));
      handler(request, response, requests.length);
    });
  });
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/tiktok/webhook?x=1`,
    connections: () => connections,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

describe('webhook poster', () => {
  let poster: WebhookPoster;
  beforeEach(() => {
    poster = new WebhookPoster();
  });
  afterEach(() => poster.close());

  it('sends the body with its headers and answers the status', async () => {
    let seen: IncomingMessage | undefined;
    const app = await callback((request, response) => {
      seen = request;
      response.writeHead(202).end('ok');
    });
    try {
      const status = await poster.post(
        app.url,
        { ...JSON_HEADERS, 'TikTok-Signature': 't=1,s=ab' },
        '{"é":1}',
        2000,
      );
      expect(status).toBe('202');
      expect(app.requests).toEqual(['{"é":1}']);
      expect(seen?.method).toBe('POST');
      expect(seen?.url).toBe('/tiktok/webhook?x=1');
      expect(seen?.headers['tiktok-signature']).toBe('t=1,s=ab');
      expect(seen?.headers['content-length']).toBe(String(Buffer.byteLength('{"é":1}')));
    } finally {
      await app.close();
    }
  });

  it('keeps connections alive across webhooks', async () => {
    const app = await callback((_request, response) => response.writeHead(200).end());
    try {
      for (let n = 0; n < 5; n++) {
        expect(await poster.post(app.url, JSON_HEADERS, `{"n":${n}}`, 2000)).toBe('200');
      }
      expect(app.requests).toHaveLength(5);
      expect(app.connections()).toBe(1);
    } finally {
      await app.close();
    }
  });

  it('does not follow a redirect: the 3xx is the answer', async () => {
    const app = await callback((_request, response) =>
      response.writeHead(307, { Location: '/elsewhere' }).end(),
    );
    try {
      expect(await poster.post(app.url, JSON_HEADERS, '{}', 2000)).toBe('307');
      expect(app.requests).toHaveLength(1);
    } finally {
      await app.close();
    }
  });

  it('tries once more on a fresh connection when the app closed a kept-alive socket', async () => {
    // The first webhook is answered; the second arrives on the kept-alive socket, which the app
    // drops unanswered (as when its idle timer fires just as we write); the retry is answered.
    const app = await callback((request, response, n) => {
      if (n === 2) request.socket.destroy();
      else response.writeHead(200).end();
    });
    try {
      expect(await poster.post(app.url, JSON_HEADERS, '{"n":1}', 2000)).toBe('200');
      expect(await poster.post(app.url, JSON_HEADERS, '{"n":2}', 2000)).toBe('200');
      expect(app.requests).toEqual(['{"n":1}', '{"n":2}', '{"n":2}']);
      expect(app.connections()).toBe(2);
    } finally {
      await app.close();
    }
  });

  it('answers network_error for a reset on a fresh connection, without trying again', async () => {
    const app = await callback((request) => request.socket.destroy());
    try {
      expect(await poster.post(app.url, JSON_HEADERS, '{}', 2000)).toBe('network_error');
      expect(app.requests).toHaveLength(1);
    } finally {
      await app.close();
    }
  });

  it('answers network_error when no answer comes within the deadline, without trying again', async () => {
    // The first is answered, so the second goes out on a reused socket: the deadline's own
    // reset must not look like the app dropping an idle socket.
    const app = await callback((_request, response, n) => {
      if (n === 1) response.writeHead(200).end();
    });
    try {
      expect(await poster.post(app.url, JSON_HEADERS, '{"n":1}', 2000)).toBe('200');
      expect(await poster.post(app.url, JSON_HEADERS, '{"n":2}', 100)).toBe('network_error');
      expect(app.requests).toHaveLength(2);
    } finally {
      await app.close();
    }
  });

  it('counts the deadline from when a connection is free, not while queued behind the socket cap', async () => {
    // One socket: the second webhook waits for the first, which the app answers only after the
    // second's deadline would have passed had it started at once (timers fire in due order, so
    // the app's 1500 ms timer, set later, cannot fire before a 1000 ms deadline set earlier).
    const single = new WebhookPoster(1);
    const app = await callback((_request, response, n) => {
      if (n === 1) setTimeout(() => response.writeHead(200).end(), 1500);
      else response.writeHead(200).end();
    });
    try {
      const first = single.post(app.url, JSON_HEADERS, '{"n":1}', 5000);
      const second = single.post(app.url, JSON_HEADERS, '{"n":2}', 1000);
      expect(await first).toBe('200');
      expect(await second).toBe('200');
      expect(app.requests).toEqual(['{"n":1}', '{"n":2}']);
      expect(app.connections()).toBe(1);
    } finally {
      single.close();
      await app.close();
    }
  });

  it('answers network_error for a refused connection and a URL it cannot post to', async () => {
    const app = await callback((_request, response) => response.end());
    const url = app.url;
    await app.close();
    expect(await poster.post(url, JSON_HEADERS, '{}', 2000)).toBe('network_error');
    expect(await poster.post('ftp://127.0.0.1/x', JSON_HEADERS, '{}', 2000)).toBe('network_error');
    expect(await poster.post('not a url', JSON_HEADERS, '{}', 2000)).toBe('network_error');
  });

  it('abortAll ends the requests on the wire as network_error, without trying again', async () => {
    let arrived: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const app = await callback(() => arrived());
    try {
      const pending = poster.post(app.url, JSON_HEADERS, '{}', 60_000);
      await reached;
      poster.abortAll();
      expect(await pending).toBe('network_error');
      expect(app.requests).toHaveLength(1);
    } finally {
      await app.close();
    }
  });
});
