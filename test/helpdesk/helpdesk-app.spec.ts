import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createHelpdeskApp } from '../../apps/helpdesk/src/helpdesk-app';
import { basicAuthorization, generateAdmin } from '../support/e2e-harness';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/** The real wiring: the helpdesk with the real TikTok library, on a fresh database. */
describe('createHelpdeskApp', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let baseUrl: string;
  // Nothing listens there: these tests never reach TikTok, they only check where they would go.
  const authorizeUrl = 'http://127.0.0.1:9/v2/auth/authorize/';
  const admin = generateAdmin();
  const auth = { authorization: basicAuthorization(admin) };

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createHelpdeskApp({
      databaseUrl: database.url,
      publicUrl: 'http://localhost:3000',
      admin,
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
    const response = await fetch(`${baseUrl}/api/inboxes`, { headers: auth });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([]);
  });

  it('sends Sign in with TikTok to TikTok’s consent page with a state', async () => {
    const response = await fetch(`${baseUrl}/tiktok/oauth/authorize`, {
      redirect: 'manual',
      headers: auth,
    });

    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(authorizeUrl);
    expect(location.searchParams.get('client_key')).toBe('app_test');
    expect(location.searchParams.get('state')).toBeTruthy();
  });

  it('refuses to start a connection for anyone not signed in, and keeps no state for it', async () => {
    const anonymous = await fetch(`${baseUrl}/tiktok/oauth/authorize`, { redirect: 'manual' });

    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('location')).toBeNull();
    expect(anonymous.headers.getSetCookie()).toEqual([]);
    const before = await app
      .get(DataSource)
      .query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM tiktok_oauth_states`);
    for (let i = 0; i < 5; i++) {
      await fetch(`${baseUrl}/tiktok/oauth/authorize`, { redirect: 'manual' });
    }
    const after = await app
      .get(DataSource)
      .query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM tiktok_oauth_states`);
    expect(after[0].n).toBe(before[0].n);
  });

  it('keeps the diagnostics behind the sign-in, and /health open', async () => {
    expect((await fetch(`${baseUrl}/api/diagnostics`)).status).toBe(401);
    expect((await fetch(`${baseUrl}/health`)).status).not.toBe(401);
  });

  it('refuses to reconnect something that is not an inbox id', async () => {
    const response = await fetch(`${baseUrl}/tiktok/oauth/authorize?inboxId=%3Cscript%3E`, {
      redirect: 'manual',
      headers: auth,
    });

    expect(response.status).toBe(400);
  });

  it('serves the page', async () => {
    const response = await fetch(`${baseUrl}/`);

    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Sign in with TikTok');
  });
});
