import { basicAuthorization } from '../support/e2e-harness';
import { startHelpdeskTestApp, type HelpdeskTestApp } from './support/helpdesk-test-app';

/** Sign-in and request forgery on the helpdesk's API: who may call it, and from where. */
describe('the helpdesk API’s sign-in', () => {
  let t: HelpdeskTestApp;

  beforeAll(async () => {
    t = await startHelpdeskTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  beforeEach(async () => {
    await t.dataSource.query(`DELETE FROM automation_rules`);
    await t.dataSource.query(`DELETE FROM users WHERE role = 'agent'`);
  });

  const RULE = { trigger: 'first_message', kind: 'auto_reply', content: 'Hi!' };

  async function signIn(email: string, password: string): Promise<Response> {
    return fetch(`${t.baseUrl}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
  }

  function sessionCookieOf(response: Response): string {
    const line = response.headers.getSetCookie().find((l) => l.startsWith('helpdesk_session='));
    if (!line) throw new Error('no session cookie');
    return line.split(';')[0];
  }

  async function ruleCount(): Promise<number> {
    const [{ n }] = await t.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM automation_rules`,
    );
    return n;
  }

  it('refuses every API route to an anonymous caller, reads and writes alike', async () => {
    const read = await fetch(`${t.baseUrl}/api/inboxes`);
    const write = await fetch(`${t.baseUrl}/api/automation-rules`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(RULE),
    });

    expect(read.status).toBe(401);
    // No WWW-Authenticate: a browser would pop its own password dialog over the page.
    expect(read.headers.get('www-authenticate')).toBeNull();
    expect(write.status).toBe(401);
    expect(await ruleCount()).toBe(0);
    expect((await fetch(`${t.baseUrl}/api/conversations`)).status).toBe(401);
    expect((await fetch(`${t.baseUrl}/api/agents`)).status).toBe(401);
  });

  it('takes HTTP Basic with the admin’s credentials, and refuses a wrong password', async () => {
    const right = await fetch(`${t.baseUrl}/api/inboxes`, { headers: t.auth });
    const wrong = await fetch(`${t.baseUrl}/api/inboxes`, {
      headers: { authorization: basicAuthorization({ ...t.admin, password: 'not-it-at-all' }) },
    });
    // The email is not case-sensitive; the password is.
    const upper = await fetch(`${t.baseUrl}/api/inboxes`, {
      headers: {
        authorization: basicAuthorization({ ...t.admin, email: t.admin.email.toUpperCase() }),
      },
    });

    expect(right.status).toBe(200);
    expect(wrong.status).toBe(401);
    expect(upper.status).toBe(200);
  });

  it('signs the page in with an HttpOnly, SameSite=Lax session cookie, and out again', async () => {
    const signedIn = await signIn(t.admin.email, t.admin.password);
    expect(signedIn.status).toBe(200);
    expect(await signedIn.json()).toMatchObject({
      email: t.admin.email,
      role: 'admin',
      via: 'session',
    });
    const line = signedIn.headers.getSetCookie().find((l) => l.startsWith('helpdesk_session='));
    expect(line).toMatch(/HttpOnly/i);
    expect(line).toMatch(/SameSite=Lax/i);
    const cookie = sessionCookieOf(signedIn);

    expect((await fetch(`${t.baseUrl}/api/inboxes`, { headers: { cookie } })).status).toBe(200);
    const me = await fetch(`${t.baseUrl}/api/session`, { headers: { cookie } });
    expect(await me.json()).toMatchObject({ user: { email: t.admin.email, name: 'Admin' } });

    const out = await fetch(`${t.baseUrl}/api/session`, { method: 'DELETE', headers: { cookie } });
    expect(out.status).toBe(204);
    expect((await fetch(`${t.baseUrl}/api/inboxes`, { headers: { cookie } })).status).toBe(401);
    const after = await fetch(`${t.baseUrl}/api/session`, { headers: { cookie } });
    expect(await after.json()).toEqual({ user: null });
  });

  it('refuses a wrong password at sign-in without a cookie, and a made-up session cookie', async () => {
    const refused = await signIn(t.admin.email, 'wrong password!');
    expect(refused.status).toBe(401);
    expect(refused.headers.getSetCookie()).toEqual([]);
    const forged = await fetch(`${t.baseUrl}/api/inboxes`, {
      headers: { cookie: 'helpdesk_session=made-up-token' },
    });
    expect(forged.status).toBe(401);
  });

  it('refuses a cross-site form post even from a signed-in browser, and creates nothing', async () => {
    const cookie = sessionCookieOf(await signIn(t.admin.email, t.admin.password));
    // What a form on another site makes the browser send: its Origin, a urlencoded body, the cookie.
    const forged = await fetch(`${t.baseUrl}/api/automation-rules`, {
      method: 'POST',
      headers: {
        cookie,
        origin: 'http://evil.example',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(RULE).toString(),
    });
    // A cross-site fetch with JSON (which would need CORS) and cached Basic credentials alike.
    const json = await fetch(`${t.baseUrl}/api/automation-rules`, {
      method: 'POST',
      headers: { ...t.auth, origin: 'http://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify(RULE),
    });
    const fetchMetadata = await fetch(`${t.baseUrl}/api/automation-rules`, {
      method: 'POST',
      headers: { ...t.auth, 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' },
      body: JSON.stringify(RULE),
    });

    expect(forged.status).toBe(403);
    expect(json.status).toBe(403);
    expect(fetchMetadata.status).toBe(403);
    expect(await ruleCount()).toBe(0);
  });

  it('takes JSON only: a urlencoded or multipart body is refused even from the helpdesk’s own origin', async () => {
    const own = new URL(t.baseUrl).origin;
    const urlencoded = await fetch(`${t.baseUrl}/api/automation-rules`, {
      method: 'POST',
      headers: { ...t.auth, origin: own, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(RULE).toString(),
    });
    const form = new FormData();
    for (const [key, value] of Object.entries(RULE)) form.append(key, value);
    const multipart = await fetch(`${t.baseUrl}/api/automation-rules`, {
      method: 'POST',
      headers: t.auth,
      body: form,
    });
    const plain = await fetch(`${t.baseUrl}/api/automation-rules`, {
      method: 'POST',
      headers: { ...t.auth, 'content-type': 'text/plain' },
      body: JSON.stringify(RULE),
    });
    const same = await fetch(`${t.baseUrl}/api/automation-rules`, {
      method: 'POST',
      headers: { ...t.auth, origin: own, 'content-type': 'application/json' },
      body: JSON.stringify(RULE),
    });

    expect(urlencoded.status).toBe(415);
    expect(multipart.status).toBe(415);
    expect(plain.status).toBe(415);
    expect(same.status).toBe(201);
    expect(await ruleCount()).toBe(1);
  });

  it('lets the admin create agents, who sign in and work but cannot create agents', async () => {
    const created = await fetch(`${t.baseUrl}/api/agents`, {
      method: 'POST',
      headers: { ...t.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'Ana@Shop.test', name: 'Ana', password: 'a long password' }),
    });
    expect(created.status).toBe(201);
    const agent = (await created.json()) as Record<string, unknown>;
    expect(agent).toMatchObject({ email: 'ana@shop.test', name: 'Ana', role: 'agent' });
    expect(agent).not.toHaveProperty('passwordHash');

    const agentAuth = {
      authorization: basicAuthorization({ email: 'ana@shop.test', password: 'a long password' }),
    };
    expect((await fetch(`${t.baseUrl}/api/inboxes`, { headers: agentAuth })).status).toBe(200);
    const byAgent = await fetch(`${t.baseUrl}/api/agents`, {
      method: 'POST',
      headers: { ...agentAuth, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'eve@shop.test', name: 'Eve', password: 'another long one' }),
    });
    expect(byAgent.status).toBe(403);

    const again = await fetch(`${t.baseUrl}/api/agents`, {
      method: 'POST',
      headers: { ...t.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ana@shop.test', name: 'Ana 2', password: 'a long password' }),
    });
    expect(again.status).toBe(409);
    const short = await fetch(`${t.baseUrl}/api/agents`, {
      method: 'POST',
      headers: { ...t.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bo@shop.test', name: 'Bo', password: 'short' }),
    });
    expect(short.status).toBe(400);
    expect(((await short.json()) as { message: string }).message).toBe(
      'password must be at least 10 characters',
    );
  });

  it('lets the admin rename an agent, reset their password (signing them out) and remove them', async () => {
    const json = { ...t.auth, 'content-type': 'application/json' };
    const created = await fetch(`${t.baseUrl}/api/agents`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        email: 'kim@shop.test',
        name: 'Kim',
        password: 'first long password',
      }),
    });
    const kim = (await created.json()) as { id: string };
    const session = await signIn('kim@shop.test', 'first long password');
    const cookie = sessionCookieOf(session);
    const oldBasic = {
      authorization: basicAuthorization({
        email: 'kim@shop.test',
        password: 'first long password',
      }),
    };
    expect((await fetch(`${t.baseUrl}/api/inboxes`, { headers: oldBasic })).status).toBe(200);

    const renamed = await fetch(`${t.baseUrl}/api/agents/${kim.id}`, {
      method: 'PATCH',
      headers: json,
      body: JSON.stringify({ name: ' Kim Lee ' }),
    });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ id: kim.id, name: 'Kim Lee', role: 'agent' });
    // A rename keeps the agent signed in.
    expect((await fetch(`${t.baseUrl}/api/inboxes`, { headers: { cookie } })).status).toBe(200);

    const reset = await fetch(`${t.baseUrl}/api/agents/${kim.id}`, {
      method: 'PATCH',
      headers: json,
      body: JSON.stringify({ password: 'second long password' }),
    });
    expect(reset.status).toBe(200);
    expect((await fetch(`${t.baseUrl}/api/inboxes`, { headers: { cookie } })).status).toBe(401);
    expect((await fetch(`${t.baseUrl}/api/inboxes`, { headers: oldBasic })).status).toBe(401);
    const newBasic = {
      authorization: basicAuthorization({
        email: 'kim@shop.test',
        password: 'second long password',
      }),
    };
    expect((await fetch(`${t.baseUrl}/api/inboxes`, { headers: newBasic })).status).toBe(200);

    // Only the admin manages the team, and the admin cannot be removed or given a password here.
    const byAgent = await fetch(`${t.baseUrl}/api/agents/${kim.id}`, {
      method: 'DELETE',
      headers: newBasic,
    });
    expect(byAgent.status).toBe(403);
    const [admin] = await t.dataSource.query<Array<{ id: string }>>(
      `SELECT id FROM users WHERE role = 'admin'`,
    );
    const removeAdmin = await fetch(`${t.baseUrl}/api/agents/${admin.id}`, {
      method: 'DELETE',
      headers: t.auth,
    });
    expect(removeAdmin.status).toBe(409);
    const adminPassword = await fetch(`${t.baseUrl}/api/agents/${admin.id}`, {
      method: 'PATCH',
      headers: json,
      body: JSON.stringify({ password: 'a brand new password' }),
    });
    expect(adminPassword.status).toBe(409);
    expect(((await adminPassword.json()) as { message: string }).message).toMatch(
      /HELPDESK_ADMIN_PASSWORD/,
    );

    const newSession = sessionCookieOf(await signIn('kim@shop.test', 'second long password'));
    const removed = await fetch(`${t.baseUrl}/api/agents/${kim.id}`, {
      method: 'DELETE',
      headers: t.auth,
    });
    expect(removed.status).toBe(204);
    expect(
      (await fetch(`${t.baseUrl}/api/inboxes`, { headers: { cookie: newSession } })).status,
    ).toBe(401);
    expect((await fetch(`${t.baseUrl}/api/inboxes`, { headers: newBasic })).status).toBe(401);
    const team = (await (
      await fetch(`${t.baseUrl}/api/agents`, { headers: t.auth })
    ).json()) as Array<{
      id: string;
    }>;
    expect(team.map((u) => u.id)).not.toContain(kim.id);
    const again = await fetch(`${t.baseUrl}/api/agents/${kim.id}`, {
      method: 'DELETE',
      headers: t.auth,
    });
    expect(again.status).toBe(404);
  });

  it('never stores a password: the users table holds scrypt hashes', async () => {
    const rows = await t.dataSource.query<Array<{ password_hash: string }>>(
      `SELECT password_hash FROM users`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.password_hash).toMatch(/^scrypt\$/);
      expect(row.password_hash).not.toContain(t.admin.password);
    }
  });
});
