import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { createHelpdeskApp } from '../../apps/helpdesk/src/helpdesk-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/** The real wiring: the helpdesk with the real TikTok library, on a fresh database. */
describe('createHelpdeskApp', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let baseUrl: string;
  // Nothing listens there: these tests never reach TikTok, they only check where they would go.
  const authorizeUrl = 'http://127.0.0.1:9/v2/auth/authorize/';

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createHelpdeskApp({
      databaseUrl: database.url,
      publicUrl: 'http://localhost:3000',
      tiktok: {
        appId: 'app_test',
        appSecret: 'secret_test',
        apiBaseUrl: 'http://127.0.0.1:9/open_api/v1.3/',
        authorizeUrl,
        redirectUri: 'http://localhost:3000/tiktok/oauth/callback',
        tokenEncryptionKeys: [`k1:${randomBytes(32).toString('base64')}`],
      },
      logger: false,
      shutdownHooks: false,
    });
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('runs the helpdesk’s and the library’s migrations and serves the API', async () => {
    const response = await fetch(`${baseUrl}/api/inboxes`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([]);
  });

  it('sends Sign in with TikTok to TikTok’s consent page with a state', async () => {
    const response = await fetch(`${baseUrl}/tiktok/oauth/authorize`, { redirect: 'manual' });

    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(authorizeUrl);
    expect(location.searchParams.get('client_key')).toBe('app_test');
    expect(location.searchParams.get('state')).toBeTruthy();
  });

  it('refuses to reconnect something that is not an inbox id', async () => {
    const response = await fetch(`${baseUrl}/tiktok/oauth/authorize?inboxId=%3Cscript%3E`, {
      redirect: 'manual',
    });

    expect(response.status).toBe(400);
  });

  it('serves the page', async () => {
    const response = await fetch(`${baseUrl}/`);

    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Sign in with TikTok');
  });
});
