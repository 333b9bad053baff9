import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';

/**
 * The floor for "check the signature, store the event durably, answer 200": a bare `node:http`
 * server doing the same work as the library's webhook route with nothing in between — its own
 * HMAC check (node:crypto), one lenient JSON parse, and the same INSERT … ON CONFLICT DO NOTHING
 * through a plain `pg` Pool into a table identical to `tiktok_webhook_events`.
 */

export interface BaselineServer {
  url: string;
  close(): Promise<void>;
}

export interface BaselineOptions {
  databaseUrl: string;
  /** Schema-qualified name of the table to insert into. */
  table: string;
  appSecret: string;
  toleranceSeconds: number;
  /** Pool size; TypeORM's postgres driver uses pg's default of 10 too. */
  poolSize: number;
}

const MAX_BODY_BYTES = 1024 * 1024;
const HANDLED_EVENTS = new Set(['im_receive_msg', 'im_send_msg', 'im_mark_read_msg']);

type Json = Record<string, unknown>;

function object(value: unknown): Json | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : null;
}

function text(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return null;
}

/** `t=<seconds>,s=<hex>`, parts in any order; anything else is refused. */
function signatureOk(header: string | undefined, body: Buffer, options: BaselineOptions): boolean {
  if (!header) return false;
  let t: string | undefined;
  let s: string | undefined;
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return false;
    const key = part.slice(0, eq).trim().toLowerCase();
    if (key === 't') t = part.slice(eq + 1).trim();
    else if (key === 's') s = part.slice(eq + 1).trim();
  }
  if (!t || !s || !/^\d{1,15}$/.test(t) || !/^(?:[0-9a-fA-F]{2})+$/.test(s)) return false;
  if (Math.abs(Date.now() / 1000 - Number(t)) > options.toleranceSeconds) return false;
  const expected = createHmac('sha256', options.appSecret).update(`${t}.`).update(body).digest();
  const received = Buffer.from(s, 'hex');
  return received.length === expected.length && timingSafeEqual(received, expected);
}

/** The INSERT's parameters, read leniently: an unreadable body is still stored. */
function row(body: Buffer): unknown[] {
  const rawText = body.toString('utf8');
  let envelope: Json | null = null;
  try {
    envelope = object(JSON.parse(rawText));
  } catch {
    envelope = null;
  }
  const digestKey = () => `raw:${createHash('sha256').update(body).digest('hex')}`;
  // raw_body is bytea, as in the library: the bytes as received.
  if (!envelope) return [digestKey(), 'unreadable', null, null, null, body, null, 'ignored'];

  const event = text(envelope.event) ?? 'unknown';
  const businessId = text(envelope.user_openid);
  let content: Json | null = null;
  let contentJson: string | null = null;
  if (typeof envelope.content === 'string') {
    try {
      content = object(JSON.parse(envelope.content));
      // Stored as sent: jsonb normalises it, no need to serialise it again.
      contentJson = content ? envelope.content : null;
    } catch {
      content = null;
    }
  } else {
    content = object(envelope.content);
    contentJson = content ? JSON.stringify(content) : null;
  }
  const conversationId = text(content?.conversation_id);
  const messageId = text(content?.message_id);
  const timestamp =
    Number(content?.timestamp) ||
    (Number(envelope.create_time) ? Number(envelope.create_time) * 1000 : null);
  const dedupeKey =
    messageId && (event === 'im_receive_msg' || event === 'im_send_msg')
      ? `${event}:${businessId}:${messageId}`
      : digestKey();
  const handled =
    HANDLED_EVENTS.has(event) && content !== null && conversationId !== null && businessId !== null;
  return [
    dedupeKey,
    event,
    businessId,
    conversationId,
    timestamp,
    body,
    contentJson,
    handled ? 'pending' : 'ignored',
  ];
}

function answer(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks, size) : null));
    req.on('error', reject);
  });
}

export async function startBaselineServer(options: BaselineOptions): Promise<BaselineServer> {
  const pool = new Pool({ connectionString: options.databaseUrl, max: options.poolSize });
  // An idle client losing its server (e.g. Ctrl-C reached PostgreSQL first) must not crash the run.
  pool.on('error', () => undefined);
  const sql = `INSERT INTO ${options.table}
       (dedupe_key, event, business_id, tiktok_conversation_id, event_timestamp, raw_body, content, status, processed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $8 = 'ignored' THEN now() END)
     ON CONFLICT (dedupe_key) DO NOTHING
     RETURNING id`;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST' || req.url !== '/tiktok/webhook') return answer(res, 404, '{}');
    const body = await readBody(req);
    if (!body) return answer(res, 413, '{"error":"too_large"}');
    const header = req.headers['tiktok-signature'];
    if (!signatureOk(typeof header === 'string' ? header : undefined, body, options)) {
      return answer(res, 401, '{"error":"invalid_signature"}');
    }
    let inserted: number;
    try {
      inserted = (await pool.query(sql, row(body))).rowCount ?? 0;
    } catch {
      return answer(res, 503, '{"error":"not_stored"}');
    }
    answer(res, 200, `{"received":true,"duplicate":${inserted === 0}}`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) answer(res, 500, '{}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}
