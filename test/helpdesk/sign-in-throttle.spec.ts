import { basicAuthorization } from '../support/e2e-harness';
import { startHelpdeskTestApp, type HelpdeskTestApp } from './support/helpdesk-test-app';

/** Password guessing against the page's form and HTTP Basic is slowed down, then let through again. */
describe('the helpdesk’s sign-in throttle', () => {
  let t: HelpdeskTestApp;
  let now = Date.parse('2026-11-25T10:00:00Z');

  beforeAll(async () => {
    t = await startHelpdeskTestApp({
      signInThrottle: { maxFailures: 3, maxFailuresPerAddress: 8, windowSeconds: 600 },
      clock: () => now,
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  beforeEach(() => {
    // Far past every earlier test's failures: each test starts with a clean slate.
    now += 3_600_000;
  });

  function signIn(email: string, password: string): Promise<Response> {
    return fetch(`${t.baseUrl}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
  }

  function basic(email: string, password: string): Promise<Response> {
    return fetch(`${t.baseUrl}/api/inboxes`, {
      headers: { authorization: basicAuthorization({ email, password }) },
    });
  }

  it('answers 429 with Retry-After after too many wrong passwords, even to the right one', async () => {
    for (let i = 0; i < 3; i++)
      expect((await signIn(t.admin.email, `wrong-${i}`)).status).toBe(401);

    const blocked = await signIn(t.admin.email, t.admin.password);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBe(600);
    expect(((await blocked.json()) as { message: string }).message).toMatch(
      /Too many failed sign-ins: try again in 10 minute/,
    );
    expect(blocked.headers.getSetCookie()).toEqual([]);

    // Once the oldest failure ages out, one more try is allowed, and the right password works.
    now += 600_001;
    expect((await signIn(t.admin.email, t.admin.password)).status).toBe(200);
  });

  it('counts HTTP Basic guesses too, and the email is not case-sensitive', async () => {
    for (let i = 0; i < 3; i++)
      expect((await basic(t.admin.email.toUpperCase(), `wrong-${i}`)).status).toBe(401);
    const blocked = await basic(t.admin.email, t.admin.password);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBe('600');
    expect((await signIn(t.admin.email, t.admin.password)).status).toBe(429);
  });

  it('forgets failures after a success, for that email only', async () => {
    for (let i = 0; i < 2; i++) expect((await signIn(t.admin.email, 'nope')).status).toBe(401);
    expect((await signIn(t.admin.email, t.admin.password)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await signIn(t.admin.email, 'nope')).status).toBe(401);
    expect((await signIn(t.admin.email, t.admin.password)).status).toBe(200);
  });

  it('limits one address across many emails', async () => {
    for (let i = 0; i < 8; i++)
      expect((await signIn(`someone-${i}@example.test`, 'guess')).status).toBe(401);
    // A ninth email, never tried before, from the same address.
    expect((await signIn('fresh@example.test', 'guess')).status).toBe(429);
    expect((await basic(t.admin.email, t.admin.password)).status).toBe(429);
  });
});
