import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { InboundProcessor } from 'tiktok-channel/testing';
import type { DemoSecrets } from '../apps/helpdesk/src/demo/demo-secrets';
import { sandboxTiktokConfig } from '../apps/helpdesk/src/demo/sandbox-tiktok-config';
import { freePort } from '../apps/helpdesk/src/database/free-port';
import { createHelpdeskApp } from '../apps/helpdesk/src/helpdesk-app';
import type { SandboxEndpoints } from './sandbox-worker';

/** The demo helpdesk (the library in a real host) with one TikTok business connected; run in demo-worker. */
export interface LibraryApp {
  url: string;
  appId: string;
  appSecret: string;
  businessId: string;
  businessUsername: string;
  app: INestApplication;
  processor: InboundProcessor;
  close(): Promise<void>;
}

const BUSINESS_USERNAME = 'bench.shop';

async function expectOk(response: Response, what: string): Promise<string> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${text.slice(0, 200)}`);
  return text;
}

/** Connects a business the way a person does: consent at the sandbox, redirects followed by hand. */
async function connectBusiness(
  helpdeskUrl: string,
  sandbox: SandboxEndpoints,
  authorization: string,
): Promise<string> {
  await expectOk(
    await fetch(`${sandbox.url}/sandbox/consent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: BUSINESS_USERNAME,
        accountType: 'business',
        decision: 'approve',
      }),
    }),
    'queueing consent at the sandbox',
  );
  let current = `${helpdeskUrl}/tiktok/oauth/authorize`;
  // The callback must come from the browser that started the connection: keep its cookie.
  const cookies: string[] = [];
  for (let hop = 0; hop < 10; hop++) {
    const headers: Record<string, string> =
      cookies.length > 0 ? { cookie: cookies.join('; ') } : {};
    // Starting a connection needs a signed-in admin; the sandbox gets no credentials.
    if (current.startsWith(helpdeskUrl)) headers.authorization = authorization;
    const response = await fetch(current, { redirect: 'manual', headers });
    await response.arrayBuffer();
    cookies.push(...response.headers.getSetCookie().map((line) => line.split(';')[0]));
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) break;
    current = new URL(location, current).toString();
  }
  const status = new URL(current).searchParams.get('tiktok_status');
  if (status !== 'connected') throw new Error(`connecting the bench business ended at ${current}`);

  const inboxes = JSON.parse(
    await expectOk(
      await fetch(`${helpdeskUrl}/api/inboxes`, { headers: { authorization } }),
      'listing inboxes',
    ),
  ) as Array<{ channel: { businessId: string; username: string } }>;
  const inbox = inboxes.find((candidate) => candidate.channel.username === BUSINESS_USERNAME);
  if (!inbox) throw new Error('the connected business has no inbox');
  return inbox.channel.businessId;
}

/**
 * Starts the demo helpdesk on `databaseUrl` (migrations run at start-up) against a sandbox running
 * elsewhere with the same `secrets`, without background jobs: the webhook route still kicks
 * processing after each new event, as in production, but no sweep timer runs.
 */
export async function startLibraryApp(
  databaseUrl: string,
  sandbox: SandboxEndpoints,
  secrets: DemoSecrets,
): Promise<LibraryApp> {
  const { appId, appSecret } = secrets;
  let app: INestApplication | undefined;
  try {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const admin = {
      email: 'bench@helpdesk.local',
      password: randomBytes(12).toString('base64url'),
    };
    app = await createHelpdeskApp({
      databaseUrl,
      publicUrl: url,
      admin,
      tiktok: sandboxTiktokConfig(sandbox, secrets, url),
      backgroundJobs: false,
      logger: false,
      shutdownHooks: false,
    });
    await app.listen(port, '127.0.0.1');
    const authorization = `Basic ${Buffer.from(`${admin.email}:${admin.password}`).toString('base64')}`;
    const businessId = await connectBusiness(url, sandbox, authorization);
    const started = app;
    return {
      url,
      appId,
      appSecret,
      businessId,
      businessUsername: BUSINESS_USERNAME,
      app: started,
      processor: started.get(InboundProcessor),
      close: () => started.close(),
    };
  } catch (error) {
    await app?.close();
    throw error;
  }
}
