import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RunningSandbox, SandboxOptions, startSandbox } from 'tiktok-sandbox';

// Written against the wire contract only, like a client would be: no sandbox internals here.

export const APP_ID = 'app_sandbox_test';
export const APP_SECRET = 'secret_sandbox_test';
export const REDIRECT_URI = 'https://helpdesk.example/tiktok/callback/';
export const MESSAGING_SCOPES =
  'user.info.basic,user.info.username,user.account.type,message.list.read,message.list.send,message.list.manage';

export interface Envelope<T = Record<string, unknown>> {
  code: number;
  message: string;
  request_id: string;
  data: T;
}

export interface TokenData {
  access_token: string;
  token_type: string;
  scope: string;
  expires_in: number;
  refresh_token: string;
  refresh_token_expires_in: number;
  open_id: string;
}

export function startTestSandbox(options: Partial<SandboxOptions> = {}): Promise<RunningSandbox> {
  return startSandbox({
    appId: APP_ID,
    appSecret: APP_SECRET,
    webhookRetry: { initialDelayMs: 20, maxAttempts: 4, timeoutMs: 2000 },
    ...options,
  });
}

export interface ApiCall {
  token?: string;
  body?: unknown;
  query?: Record<string, string>;
  headers?: Record<string, string>;
}

/** Calls a Business API path (relative to apiBaseUrl, e.g. "business/get/"). */
export async function api<T = Record<string, unknown>>(
  sandbox: RunningSandbox,
  method: 'GET' | 'POST',
  path: string,
  call: ApiCall = {},
): Promise<{ status: number; envelope: Envelope<T> }> {
  const url = new URL(path, sandbox.apiBaseUrl);
  for (const [name, value] of Object.entries(call.query ?? {})) url.searchParams.set(name, value);
  const headers: Record<string, string> = { ...call.headers };
  if (call.token) headers['Access-Token'] = call.token;
  if (call.body !== undefined) headers['Content-Type'] ??= 'application/json';
  const response = await fetch(url, {
    method,
    headers,
    body: call.body === undefined ? undefined : JSON.stringify(call.body),
  });
  return { status: response.status, envelope: (await response.json()) as Envelope<T> };
}

export async function control<T = Record<string, unknown>>(
  sandbox: RunningSandbox,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
}

export function authorizeUrl(
  sandbox: RunningSandbox,
  overrides: Record<string, string> = {},
): string {
  const url = new URL(sandbox.authorizeUrl);
  const params = {
    client_key: APP_ID,
    response_type: 'code',
    scope: MESSAGING_SCOPES,
    redirect_uri: REDIRECT_URI,
    state: 'state-123',
    ...overrides,
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.toString();
}

/** Follows the authorize URL like a browser that does not follow the final redirect. */
export async function openAuthorize(
  sandbox: RunningSandbox,
  overrides: Record<string, string> = {},
): Promise<{ status: number; location: URL | undefined; html: string }> {
  const response = await fetch(authorizeUrl(sandbox, overrides), { redirect: 'manual' });
  const location = response.headers.get('location');
  return {
    status: response.status,
    location: location ? new URL(location) : undefined,
    html: await response.text(),
  };
}

export async function exchangeCode(
  sandbox: RunningSandbox,
  authCode: string,
  overrides: Record<string, string> = {},
): Promise<Envelope<TokenData>> {
  const { envelope } = await api<TokenData>(sandbox, 'POST', 'tt_user/oauth2/token/', {
    body: {
      client_id: APP_ID,
      client_secret: APP_SECRET,
      grant_type: 'authorization_code',
      auth_code: authCode,
      redirect_uri: REDIRECT_URI,
      ...overrides,
    },
  });
  return envelope;
}

/** Queues a consent, runs authorize and the code exchange: a connected account's tokens. */
export async function connectAccount(
  sandbox: RunningSandbox,
  username: string,
  options: { accountType?: 'business' | 'personal'; scope?: string } = {},
): Promise<TokenData> {
  await control(sandbox, 'POST', '/sandbox/consent', {
    username,
    accountType: options.accountType ?? 'business',
    decision: 'approve',
  });
  const { location } = await openAuthorize(sandbox, options.scope ? { scope: options.scope } : {});
  const code = location?.searchParams.get('code');
  if (!code) throw new Error(`authorize did not redirect with a code: ${location}`);
  const envelope = await exchangeCode(sandbox, code);
  if (envelope.code !== 0) throw new Error(`token exchange failed: ${envelope.message}`);
  return envelope.data;
}

export async function createUser(sandbox: RunningSandbox, username: string): Promise<string> {
  const { body } = await control<{ userId: string }>(sandbox, 'POST', '/sandbox/users', {
    username,
    displayName: username,
  });
  return body.userId;
}

export async function userWrites(
  sandbox: RunningSandbox,
  fromUserId: string,
  toBusinessId: string,
  text: string,
  timestamp?: number,
): Promise<{ conversationId: string; messageId: string; webhook: string }> {
  const { status, body } = await control<{
    conversationId: string;
    messageId: string;
    webhook: string;
  }>(sandbox, 'POST', '/sandbox/messages', {
    fromUserId,
    toBusinessId,
    type: 'text',
    text,
    timestamp,
  });
  if (status !== 201) throw new Error(`POST /sandbox/messages answered ${status}`);
  return body;
}

export async function sendText(
  sandbox: RunningSandbox,
  token: TokenData,
  recipient: string,
  text: string,
): Promise<Envelope<{ message: { message_id: string } }>> {
  const { envelope } = await api<{ message: { message_id: string } }>(
    sandbox,
    'POST',
    'business/message/send/',
    {
      token: token.access_token,
      body: {
        business_id: token.open_id,
        recipient_type: 'CONVERSATION',
        recipient,
        message_type: 'TEXT',
        text: { body: text },
      },
    },
  );
  return envelope;
}

export async function registerWebhook(sandbox: RunningSandbox, callbackUrl: string): Promise<void> {
  const { envelope } = await api(sandbox, 'POST', 'business/webhook/update/', {
    body: {
      app_id: APP_ID,
      secret: APP_SECRET,
      event_type: 'DIRECT_MESSAGE',
      callback_url: callbackUrl,
    },
  });
  if (envelope.code !== 0) throw new Error(`webhook/update failed: ${envelope.message}`);
}

/** Verifies `t=<seconds>,s=<hex>` over the raw bytes, as a receiver must. */
export function signatureIsValid(
  header: string | undefined,
  rawBody: Buffer,
  secret: string,
): boolean {
  if (!header) return false;
  const parts = new Map(
    header.split(',').map((part) => {
      const [name, ...rest] = part.trim().split('=');
      return [name.trim(), rest.join('=').trim()] as const;
    }),
  );
  const t = parts.get('t');
  const s = parts.get('s');
  if (!t || !s || !/^\d+$/.test(t)) return false;
  const expected = createHmac('sha256', secret)
    .update(Buffer.concat([Buffer.from(`${t}.`), rawBody]))
    .digest();
  const given = Buffer.from(s, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface ReceivedWebhook {
  rawBody: Buffer;
  headers: IncomingHttpHeaders;
  signatureValid: boolean;
  signedAt: number;
  body: {
    client_key: string;
    event: string;
    create_time: number;
    user_openid: string;
    /** A JSON string to parse a second time (TikTok's usual shape), or an object. */
    content: string | Record<string, unknown>;
  };
  /** `body.content` parsed a second time (or as it came, when it was an object). */
  content: Record<string, unknown>;
  answeredWith: number;
}

/** A local callback endpoint that records every delivery and answers with planned statuses. */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private plannedStatuses: number[] = [];
  private waiters: (() => void)[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const rawBody = Buffer.concat(chunks);
        const header = request.headers['tiktok-signature'];
        const status = this.plannedStatuses.shift() ?? 200;
        const body = JSON.parse(rawBody.toString('utf8')) as ReceivedWebhook['body'];
        this.received.push({
          rawBody,
          headers: request.headers,
          signatureValid: signatureIsValid(
            typeof header === 'string' ? header : undefined,
            rawBody,
            APP_SECRET,
          ),
          signedAt: Number(/t=(\d+)/.exec(String(header))?.[1]),
          body,
          content:
            typeof body.content === 'string'
              ? (JSON.parse(body.content) as Record<string, unknown>)
              : body.content,
          answeredWith: status,
        });
        response.writeHead(status).end();
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/tiktok/webhook`;
    return this;
  }

  /** The next deliveries are answered with these statuses, then 200 again. */
  answerNext(...statuses: number[]): void {
    this.plannedStatuses.push(...statuses);
  }

  clear(): void {
    this.received.length = 0;
    this.plannedStatuses = [];
  }

  async waitForCount(count: number, timeoutMs = 5000): Promise<ReceivedWebhook[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} webhooks, got ${this.received.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.received;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export async function waitUntil(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
