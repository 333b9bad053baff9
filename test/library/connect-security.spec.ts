import { randomBytes } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { TiktokChannelModule } from '../../libs/tiktok-channel/src';
import { freePort } from '../../apps/helpdesk/src/database/free-port';
import { RecordingPort } from '../support/recording-port';
import { CookieJar, eventually } from '../support/e2e-harness';
import { libraryTestModule, startLibraryHost, type LibraryHost } from '../support/library-host';
import { consentUpToCallback, finishCallback, outcome } from '../support/oauth-browser';
import { SandboxControl, SandboxFaults } from '../support/sandbox-control';

describe('A connection only the browser that started it can finish', () => {
  let host: LibraryHost;
  let sandbox: SandboxControl;

  beforeAll(async () => {
    host = await startLibraryHost('forRoot', { options: { maxPendingConnectsPerTenant: 5 } });
    sandbox = new SandboxControl(host.sandbox.url);
  });

  afterAll(async () => {
    await host?.close();
  });

  const authorize = () => `${host.url}/tiktok/oauth/authorize`;

  it('sets an HttpOnly, SameSite=Lax cookie on the way to TikTok', async () => {
    const response = await fetch(authorize(), { redirect: 'manual' });
    await response.arrayBuffer();
    const [cookie] = response.headers.getSetCookie();
    expect(cookie).toMatch(/^tiktok_oauth_browser=[A-Za-z0-9_-]{43}; /);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/');
  });

  it('refuses a consent completed in a browser without the cookie, without spending the code', async () => {
    await sandbox.queueConsent('victim.shop', 'business', 'approve');
    const starter = new CookieJar();
    const callback = await consentUpToCallback(authorize(), starter);
    const exchangesBefore = (await sandbox.stats()).tokenExchanges;

    const elsewhere = await finishCallback(callback, new CookieJar());

    expect(outcome(elsewhere)).toEqual({ status: 'error', reason: 'browser_mismatch' });
    expect((await sandbox.stats()).tokenExchanges).toBe(exchangesBefore);
    const { rows } = await host.db.query(`SELECT 1 FROM tiktok_accounts`);
    expect(rows).toHaveLength(0);
    // The state was not burnt: the browser that started it can still finish.
    expect(outcome(await finishCallback(callback, starter))).toEqual({
      status: 'connected',
      reason: null,
    });
  });

  it('refuses a consent completed in a browser with another browser’s cookie', async () => {
    await sandbox.queueConsent('other.shop', 'business', 'approve');
    const callback = await consentUpToCallback(authorize(), new CookieJar());
    const attacker = new CookieJar();
    await consentUpToCallback(authorize(), attacker).catch(() => undefined); // gets a cookie of its own

    expect(outcome(await finishCallback(callback, attacker))).toEqual({
      status: 'error',
      reason: 'browser_mismatch',
    });
  });

  it('keeps at most the configured number of unfinished attempts per tenant, however many requests come', async () => {
    for (let i = 0; i < 40; i++) {
      const response = await fetch(authorize(), { redirect: 'manual' });
      await response.arrayBuffer();
    }
    const { rows } = await host.db.query(
      `SELECT count(*)::int AS n FROM tiktok_oauth_states WHERE tenant = 't1' AND used_at IS NULL`,
    );
    expect(rows[0].n).toBe(5);
  });

  it('lets the newest attempt finish after a storm', async () => {
    for (let i = 0; i < 10; i++) await (await fetch(authorize(), { redirect: 'manual' })).text();
    await sandbox.queueConsent('after.storm', 'business', 'approve');
    const browser = new CookieJar();
    const callback = await consentUpToCallback(authorize(), browser);
    expect(outcome(await finishCallback(callback, browser)).status).toBe('connected');
  });

  it('rejects a forged browser cookie value without looking it up', async () => {
    await sandbox.queueConsent('forged.cookie', 'business', 'approve');
    const browser = new CookieJar();
    const callback = await consentUpToCallback(authorize(), browser);
    const forged = await fetch(callback, {
      redirect: 'manual',
      headers: { cookie: `tiktok_oauth_browser=${randomBytes(8).toString('hex')}` },
    });
    await forged.arrayBuffer();
    expect(outcome(new URL(forged.headers.get('location') ?? '', host.url)).reason).toBe(
      'browser_mismatch',
    );
  });
});

describe('A refused connection leaves no live grant at TikTok', () => {
  let host: LibraryHost;
  let sandbox: SandboxControl;
  let inboxOfFirst: string;

  beforeAll(async () => {
    host = await startLibraryHost('forRoot', {
      options: {
        resolveConnectContext: (req) => ({
          tenant: 't1',
          returnUrl: '/done',
          inboxId: typeof req.query.inboxId === 'string' ? req.query.inboxId : undefined,
        }),
      },
    });
    sandbox = new SandboxControl(host.sandbox.url);
    await sandbox.queueConsent('first.shop', 'business', 'approve');
    const browser = new CookieJar();
    await finishCallback(
      await consentUpToCallback(`${host.url}/tiktok/oauth/authorize`, browser),
      browser,
    );
    const { rows } = await host.db.query(`SELECT host_inbox_id FROM tiktok_accounts`);
    inboxOfFirst = rows[0].host_inbox_id;
  });

  afterAll(async () => {
    await host?.close();
  });

  async function reconnectFirstInboxAs(username: string) {
    await sandbox.queueConsent(username, 'business', 'approve');
    const browser = new CookieJar();
    const callback = await consentUpToCallback(
      `${host.url}/tiktok/oauth/authorize?inboxId=${encodeURIComponent(inboxOfFirst)}`,
      browser,
    );
    return outcome(await finishCallback(callback, browser));
  }

  it('revokes the grant of a reconnect refused with inbox_mismatch', async () => {
    const before = await sandbox.stats();

    expect(await reconnectFirstInboxAs('second.shop')).toEqual({
      status: 'error',
      reason: 'inbox_mismatch',
    });

    const after = await sandbox.stats();
    expect(after.revokes).toBe(before.revokes + 1);
    const secondBusiness = Object.keys(after.revokesByBusiness).find(
      (business) => !(business in before.revokesByBusiness),
    );
    expect(secondBusiness).toBeDefined();
  });

  it('revokes the grant when the profile cannot be read after the exchange', async () => {
    const before = (await sandbox.stats()).revokes;
    await sandbox.queueConsent('profile.fails', 'business', 'approve');
    const browser = new CookieJar();
    const callback = await consentUpToCallback(`${host.url}/tiktok/oauth/authorize`, browser);
    await new SandboxFaults(host.sandbox.url).plan({
      path: '/business/get/',
      code: 50000,
      times: 1,
    });

    expect(outcome(await finishCallback(callback, browser)).reason).toBe('profile_failed');
    expect((await sandbox.stats()).revokes).toBe(before + 1);
  });

  it('does not revoke when the refused business is connected here already: that would cut its connection', async () => {
    // second.shop connects as an inbox of its own, then someone reconnects first.shop's inbox as it.
    await sandbox.queueConsent('second.shop', 'business', 'approve');
    const browser = new CookieJar();
    expect(
      outcome(
        await finishCallback(
          await consentUpToCallback(`${host.url}/tiktok/oauth/authorize`, browser),
          browser,
        ),
      ).status,
    ).toBe('connected');
    const before = (await sandbox.stats()).revokes;

    expect((await reconnectFirstInboxAs('second.shop')).reason).toBe('inbox_mismatch');

    expect((await sandbox.stats()).revokes).toBe(before);
    const { rows } = await host.db.query(
      `SELECT status FROM tiktok_accounts WHERE username = 'second.shop'`,
    );
    expect(rows[0].status).toBe('active');
  });
});

describe('Connecting is one step', () => {
  let host: LibraryHost;
  let sandbox: SandboxControl;
  let faults: SandboxFaults;

  beforeAll(async () => {
    host = await startLibraryHost('forRoot');
    sandbox = new SandboxControl(host.sandbox.url);
    faults = new SandboxFaults(host.sandbox.url);
  });

  afterAll(async () => {
    await host?.close();
  });

  it('ends connected for both of two concurrent callbacks for the same new business, with one inbox', async () => {
    const browsers = [new CookieJar(), new CookieJar()];
    const callbacks: string[] = [];
    for (const browser of browsers) {
      await sandbox.queueConsent('twin.shop', 'business', 'approve');
      callbacks.push(await consentUpToCallback(`${host.url}/tiktok/oauth/authorize`, browser));
    }
    // TikTok holds both callbacks at the profile read, after their code exchange, and lets them
    // go together; the host then holds them in upsertInbox until both are there (or one has
    // finished without getting there). So both store the same new business at the same moment.
    await faults.hold('/business/get/', 2);
    const port = host.port;
    const original = port.upsertInbox.bind(port);
    const waiting: Array<() => void> = [];
    let arrivals = 0;
    let bothThere: () => void = () => undefined;
    const barrier = new Promise<void>((resolve) => (bothThere = resolve));
    port.upsertInbox = async (a) => {
      if (a.account.username === 'twin.shop') {
        if (++arrivals === 2) bothThere();
        await new Promise<void>((go) => waiting.push(go));
      }
      return original(a);
    };
    try {
      const landings = callbacks.map((callback, i) => finishCallback(callback, browsers[i]));
      await eventually(
        async () => (await faults.waiting('/business/get/')) === 2,
        'both at TikTok',
      );
      await faults.release('/business/get/');
      await Promise.race([barrier, ...landings]);
      for (const go of waiting) go();
      const settled = await Promise.all(landings);
      for (const go of waiting) go();

      expect(settled.map(outcome)).toEqual([
        { status: 'connected', reason: null },
        { status: 'connected', reason: null },
      ]);
      const { rows } = await host.db.query(
        `SELECT id, host_inbox_id FROM tiktok_accounts WHERE username = 'twin.shop'`,
      );
      expect(rows).toHaveLength(1);
      expect(new Set(settled.map((landing) => landing.searchParams.get('inbox_id')))).toEqual(
        new Set([rows[0].host_inbox_id]),
      );
      // Both told the host the same account: a host keying inboxes by account id makes one inbox.
      const told = port.calls
        .filter((call) => call.method === 'upsertInbox')
        .map((call) => (call.args as { account: { accountId: string; username: string } }).account)
        .filter((account) => account.username === 'twin.shop')
        .map((account) => account.accountId);
      expect(told).toEqual([rows[0].id, rows[0].id]);
    } finally {
      port.upsertInbox = original;
    }
  });

  it('never shows the account without its inbox while the host creates the inbox', async () => {
    const port = host.port;
    let release: () => void = () => undefined;
    const entered = new Promise<void>((resolve) => {
      const original = port.upsertInbox.bind(port);
      port.upsertInbox = async (a) => {
        resolve();
        await new Promise<void>((go) => (release = go));
        port.upsertInbox = original;
        return original(a);
      };
    });
    await sandbox.queueConsent('one.step', 'business', 'approve');
    const browser = new CookieJar();
    const landing = finishCallback(
      await consentUpToCallback(`${host.url}/tiktok/oauth/authorize`, browser),
      browser,
    );

    await entered;
    const during = await host.db.query(
      `SELECT host_inbox_id FROM tiktok_accounts WHERE username = 'one.step'`,
    );
    release();
    expect(outcome(await landing).status).toBe('connected');

    expect(during.rows).toEqual([]);
    const after = await host.db.query(
      `SELECT host_inbox_id FROM tiktok_accounts WHERE username = 'one.step'`,
    );
    expect(after.rows[0].host_inbox_id).toBeTruthy();
  });
});

describe('A connection TikTok refuses for the app’s credentials', () => {
  let host: LibraryHost;

  beforeAll(async () => {
    host = await startLibraryHost('forRoot');
  });

  afterAll(async () => {
    await host?.close();
  });

  it('ends on app_credentials_rejected, not on “try again”, when the app secret is wrong', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const wrong = await NestFactory.create(
      libraryTestModule({
        databaseUrl: host.databaseUrl,
        channel: TiktokChannelModule.forRoot({
          ...host.options,
          appSecret: 'not-the-secret',
          redirectUri: `${url}/tiktok/oauth/callback`,
          helpdeskPort: RecordingPort,
        }),
      }),
      { rawBody: true, logger: false },
    );
    await wrong.listen(port, '127.0.0.1');
    try {
      await new SandboxControl(host.sandbox.url).queueConsent('wrong.app', 'business', 'approve');
      const browser = new CookieJar();
      const landing = await finishCallback(
        await consentUpToCallback(`${url}/tiktok/oauth/authorize`, browser),
        browser,
      );
      expect(outcome(landing)).toEqual({ status: 'error', reason: 'app_credentials_rejected' });
    } finally {
      await wrong.close();
    }
  });
});
