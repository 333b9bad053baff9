import http from 'node:http';
import type { AddressInfo } from 'node:net';
import axios, { type AxiosInstance } from 'axios';

/** The paths this fake answers; every other TikTok call goes to the sandbox as usual. */
const OWN_PATHS = [
  '/business/message/media/download/',
  '/business/message/conversation/list/',
  '/business/message/content/list/',
];

export interface FakeMedia {
  contentType: string;
  bytes: Buffer;
  /** Leave out Content-Length (a chunked body), to exercise the cap while streaming. */
  chunked?: boolean;
}

export interface HistoryFake {
  /** Give this as the channel's `httpClient`: it sends the three calls above here. */
  httpClient: AxiosInstance;
  media: Map<string, FakeMedia>;
  /** conversation/list answers, per conversation type. */
  conversations: Array<{ conversation_id: string; update_time?: number; up_time?: number }>;
  /** content/list answers, per conversation id. */
  history: Map<string, Record<string, unknown>[]>;
  requests: Array<{ path: string; query: URLSearchParams; body: unknown; xUser?: string }>;
  close(): Promise<void>;
}

/**
 * A tiny stand-in for the TikTok calls the sandbox may not serve yet (media/download and the media
 * bytes behind it, conversation/list, content/list), written from the wire contract. The channel
 * keeps talking to the sandbox for everything else: the axios instance only reroutes these paths.
 */
export async function startHistoryFake(): Promise<HistoryFake> {
  const media = new Map<string, FakeMedia>();
  const history = new Map<string, Record<string, unknown>[]>();
  const fake: Omit<HistoryFake, 'httpClient' | 'close'> = {
    media,
    conversations: [],
    history,
    requests: [],
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const raw = Buffer.concat(chunks).toString('utf8');
      const body: unknown = raw ? JSON.parse(raw) : undefined;
      const path = url.pathname.replace(/^\/open_api\/v1\.3/, '');
      fake.requests.push({
        path,
        query: url.searchParams,
        body,
        xUser: req.headers['x-user'] as string | undefined,
      });
      const json = (data: unknown) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ code: 0, message: 'OK', request_id: 'fake', data }));
      };
      if (path === '/business/message/media/download/') {
        const mediaId = (body as { media_id?: string }).media_id ?? '';
        if (!media.has(mediaId)) {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ code: 40007, message: 'media does not exist', data: {} }));
          return;
        }
        json({ download_url: `${origin}/files/${encodeURIComponent(mediaId)}` });
      } else if (path.startsWith('/files/')) {
        const item = media.get(decodeURIComponent(path.slice('/files/'.length)));
        if (!item || !req.headers['x-user']) {
          res.statusCode = 404;
          res.end();
          return;
        }
        res.setHeader('content-type', item.contentType);
        if (!item.chunked) res.setHeader('content-length', item.bytes.length);
        res.end(item.bytes);
      } else if (path === '/business/message/conversation/list/') {
        const type = url.searchParams.get('conversation_type');
        json({
          conversations: type === 'SINGLE' ? fake.conversations : [],
          has_more: false,
          cursor: 0,
        });
      } else if (path === '/business/message/content/list/') {
        json({
          messages: history.get(url.searchParams.get('conversation_id') ?? '') ?? [],
          participants: [],
        });
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const httpClient = axios.create();
  httpClient.interceptors.request.use((config) => {
    const target = new URL(config.url ?? '', config.baseURL);
    const path = target.pathname.replace(/^\/open_api\/v1\.3/, '');
    if (OWN_PATHS.includes(path)) {
      config.url = `${origin}/open_api/v1.3${path}${target.search}`;
    }
    return config;
  });
  return {
    ...fake,
    httpClient,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A valid 1×1 PNG, an (abridged) JPEG header and an MP4 `ftyp` box: real media type signatures. */
export const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
export const MP4_HEADER = Buffer.concat([
  Buffer.from([0, 0, 0, 0x18]),
  Buffer.from('ftypmp42', 'ascii'),
  Buffer.alloc(12, 0),
  Buffer.alloc(4096, 7),
]);
