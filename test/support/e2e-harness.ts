import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { createHelpdeskApp, type HelpdeskConfig } from '../../apps/helpdesk/src/helpdesk-app';
import { generateDemoSecrets } from '../../apps/helpdesk/src/demo/demo-secrets';
import { sandboxTiktokConfig } from '../../apps/helpdesk/src/demo/sandbox-tiktok-config';
import { freePort } from '../../apps/helpdesk/src/database/free-port';
import { startSandbox, type RunningSandbox } from '../../apps/tiktok-sandbox/src';
import { TiktokWebhookRegistrar } from '../../libs/tiktok-channel/src';
import { createTestDatabase, type TestDatabase } from './test-database';

/** Someone who signs in to a helpdesk under test. */
export interface Credentials {
  email: string;
  password: string;
}

/** A fresh admin for one helpdesk: nothing is shared between test runs. */
export function generateAdmin(): Credentials {
  return { email: 'admin@helpdesk.test', password: randomBytes(12).toString('base64url') };
}

/**
 * Credentials a test's scripts use for a helpdesk, by origin, the way `curl -u` would send them:
 * `get`, `post` and `CookieJar.fetch` send HTTP Basic to an origin registered here. A plain
 * `fetch` sends nothing, which is how tests show what an anonymous caller gets.
 */
const savedCredentials = new Map<string, Credentials>();

export function saveCredentials(url: string, credentials: Credentials): void {
  savedCredentials.set(new URL(url).origin, credentials);
}

export function forgetCredentials(url: string): void {
  savedCredentials.delete(new URL(url).origin);
}

export function basicAuthorization(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.email}:${credentials.password}`).toString('base64')}`;
}

export function withSavedCredentials(url: string, headers: Headers): Headers {
  const credentials = savedCredentials.get(new URL(url).origin);
  if (credentials && !headers.has('authorization'))
    headers.set('authorization', basicAuthorization(credentials));
  return headers;
}

export interface Harness {
  app: INestApplication;
  sandbox: RunningSandbox;
  db: TestDatabase;
  /** A plain SQL connection to the suite's database, to look at raw rows. */
  sql: Client;
  config: HelpdeskConfig;
  /** The helpdesk's admin; `get`, `post` and cookie jars send it to `url` as HTTP Basic. */
  admin: Credentials;
  /** The helpdesk's base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  backgroundJobs?: boolean;
  accessTokenTtlSeconds?: number;
  /**
   * The helpdesk is configured with another app secret than the sandbox knows: TikTok refuses
   * its credentials (the webhook is then not registered either).
   */
  wrongAppSecret?: boolean;
}

/** A demo helpdesk on its own database, talking over real HTTP to its own TikTok sandbox. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const db = await createTestDatabase();
  const secrets = generateDemoSecrets();
  const sandbox = await startSandbox({
    port: 0,
    appId: secrets.appId,
    appSecret: secrets.appSecret,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds,
  });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const admin = generateAdmin();
  const config: HelpdeskConfig = {
    databaseUrl: db.url,
    publicUrl: url,
    admin,
    tiktok: {
      ...sandboxTiktokConfig(sandbox, secrets, url),
      ...(options.wrongAppSecret ? { appSecret: `${secrets.appSecret}-wrong` } : {}),
    },
    backgroundJobs: options.backgroundJobs ?? true,
    logger: false,
    // Customers' media of this run only, removed on close.
    attachmentsDirectory: await mkdtemp(join(tmpdir(), 'harness-attachments-')),
  };
  const app = await createHelpdeskApp(config);
  await app.listen(port, '127.0.0.1');
  if (!options.wrongAppSecret) {
    await app.get(TiktokWebhookRegistrar).register(`${url}/tiktok/webhook`);
  }
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  saveCredentials(url, admin);
  return {
    app,
    sandbox,
    db,
    sql,
    config,
    admin,
    url,
    close: async () => {
      forgetCredentials(url);
      await sql.end();
      await app.close();
      await sandbox.close();
      await db.drop();
      await rm(config.attachmentsDirectory!, { recursive: true, force: true });
    },
  };
}

export async function json<T>(response: Response): Promise<T> {
  const text = await response.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(
      `Expected JSON from ${response.url} (HTTP ${response.status}), got: ${text.slice(0, 200)}`,
    );
  }
}

export async function post<T = unknown>(
  url: string,
  body: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: withSavedCredentials(url, new Headers({ 'content-type': 'application/json' })),
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export async function get<T = unknown>(url: string): Promise<T> {
  const response = await fetch(url, { headers: withSavedCredentials(url, new Headers()) });
  if (!response.ok)
    throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`);
  return json<T>(response);
}

/**
 * A browser's cookies, as far as tests need them: kept per host name (like a browser, whatever the
 * port), sent back on every request to that host, dropped when `Max-Age=0`.
 */
export class CookieJar {
  private readonly byHost = new Map<string, Map<string, string>>();

  header(url: string): string | undefined {
    const cookies = this.byHost.get(new URL(url).hostname);
    if (!cookies || cookies.size === 0) return undefined;
    return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  store(url: string, response: Response): void {
    const host = new URL(url).hostname;
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      const cookies = this.byHost.get(host) ?? new Map<string, string>();
      this.byHost.set(host, cookies);
      if (attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute)))
        cookies.delete(name);
      else cookies.set(name, value);
    }
  }

  /** fetch with this jar's cookies, storing what the answer sets. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = withSavedCredentials(url, new Headers(init.headers));
    const cookie = this.header(url);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers });
    this.store(url, response);
    return response;
  }
}

/**
 * Follows redirects by hand, the way a browser would, and returns every hop. Relative locations
 * are resolved against the URL that sent them. Cookies go in `jar`: a fresh browser by default,
 * the same browser when a test passes its jar again.
 */
export async function followRedirects(
  start: string,
  jar: CookieJar = new CookieJar(),
  maxHops = 10,
): Promise<string[]> {
  const hops = [start];
  let current = start;
  for (let i = 0; i < maxHops; i++) {
    const response = await jar.fetch(current, { redirect: 'manual' });
    await response.arrayBuffer();
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) return hops;
    current = new URL(location, current).toString();
    hops.push(current);
  }
  throw new Error(`Too many redirects from ${start}`);
}

/**
 * Polls until the check returns a value (not undefined/false). Background processing is
 * asynchronous by design (webhooks are answered before they are processed), so tests wait for
 * the outcome instead of assuming a timing; the deadline is only a guard against hanging.
 */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  what: string,
  deadlineMs = 20_000,
): Promise<T> {
  const started = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() - started > deadlineMs) {
      throw new Error(
        `Timed out waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
