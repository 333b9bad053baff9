import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import {
  TIKTOK_API_CLIENT,
  TiktokApiClient,
  TiktokChannelModule,
  TiktokDiagnostics,
  TiktokMessenger,
  TiktokWebhookRegistrar,
  type TiktokChannelModuleOptions,
  type TiktokDiagnosticCheck,
  type TiktokDiagnosticCheckId,
  type TiktokDiagnosticReport,
} from '../../libs/tiktok-channel/src';
import { InboundProcessor, TokenCipher } from '../../libs/tiktok-channel/src/testing';
import { eventually, followRedirects } from '../support/e2e-harness';
import { libraryTestModule, startLibraryHost, type LibraryHost } from '../support/library-host';
import { RecordingPort } from '../support/recording-port';
import { SandboxControl, SandboxFaults } from '../support/sandbox-control';
import { SandboxOutbound } from '../support/sandbox-outbound';

const EVERY_CHECK: TiktokDiagnosticCheckId[] = [
  'database',
  'app_credentials',
  'redirect_uri',
  'webhook_registration',
  'clock_skew',
  'webhook_activity',
  'parked_events',
  'account_tokens',
  'account_scopes',
  'account_type',
  'message_sync',
  'send_failures',
];

function find(
  report: TiktokDiagnosticReport,
  id: TiktokDiagnosticCheckId,
  username?: string,
): TiktokDiagnosticCheck {
  const check = report.checks.find(
    (candidate) =>
      candidate.id === id &&
      (username ? candidate.account?.username === username : !candidate.account),
  );
  if (!check) throw new Error(`no ${id} check${username ? ` for @${username}` : ''} in the report`);
  return check;
}

describe('TiktokDiagnostics, proven both ways through the sandbox', () => {
  let host: LibraryHost;
  let sandbox: SandboxControl;
  let faults: SandboxFaults;
  let diagnostics: TiktokDiagnostics;

  beforeAll(async () => {
    // Three attempts at most, so a send that keeps meeting TikTok errors fails within the test.
    host = await startLibraryHost('forRoot', { options: { maxSendAttempts: 3 } });
    sandbox = new SandboxControl(host.sandbox.url);
    faults = new SandboxFaults(host.sandbox.url);
    // These tests poll the diagnostics, which read TikTok's conversations, faster than TikTok's
    // 10 requests per second per business: the sandbox would answer 40100.
    await new SandboxOutbound(host.sandbox.url).setRateLimit(0);
    diagnostics = host.app.get(TiktokDiagnostics);
  });

  afterAll(async () => {
    await host?.close();
  });

  async function connect(username: string, scopes?: string[]) {
    await sandbox.queueConsent(username, 'business', 'approve', scopes);
    const hops = await followRedirects(`${host.url}/tiktok/oauth/authorize`);
    expect(new URL(hops[hops.length - 1]).searchParams.get('tiktok_status')).toBe('connected');
    const { rows } = await host.db.query(
      `SELECT id, business_id FROM tiktok_accounts WHERE username = $1`,
      [username],
    );
    return rows[0] as { id: string; business_id: string };
  }

  /** The account's customer writes and the host has the message: a conversation to reply in. */
  async function conversationOf(businessId: string, fan: string) {
    const userId = await sandbox.createUser(fan, fan);
    const sent = await sandbox.sendAsUser(userId, businessId, 'hello');
    return (await host.received(sent.messageId)).conversationId;
  }

  const runFor = (accountId: string) => diagnostics.run({ accountIds: [accountId] });

  it('passes every check on a healthy channel, and shows no secret', async () => {
    const account = await connect('healthy.shop');
    const conversationId = await conversationOf(account.business_id, 'healthy.fan');
    const reply = await host.app
      .get(TiktokMessenger)
      .send({ conversationId, messageId: 'healthy-reply', content: 'hi!' });
    expect(reply.status).toBe('sent');

    const report = await diagnostics.run();

    expect(report.checks.filter((check) => check.verdict !== 'ok')).toEqual([]);
    expect(report.verdict).toBe('ok');
    expect(new Set(report.checks.map((check) => check.id))).toEqual(new Set(EVERY_CHECK));
    expect(report.symptoms).toEqual({
      cannot_connect: 'ok',
      messages_not_syncing: 'ok',
      authorization_expired: 'ok',
      cannot_send: 'ok',
    });
    expect(find(report, 'message_sync', 'healthy.shop').summary).toMatch(/arrived as a webhook/);
    const text = JSON.stringify(report);
    expect(text).not.toContain(host.appSecret);
    const { rows } = await host.db.query(
      `SELECT access_token_enc, refresh_token_enc FROM tiktok_accounts`,
    );
    const cipher = new TokenCipher(host.options.tokenEncryptionKeys);
    for (const row of rows) {
      expect(text).not.toContain(cipher.decrypt(row.access_token_enc));
      expect(text).not.toContain(cipher.decrypt(row.refresh_token_enc));
    }
  });

  it('fails the app credentials with a wrong app secret, and says so instead of “try again”', async () => {
    const wrong: TiktokChannelModuleOptions = { ...host.options, appSecret: 'not-the-secret' };
    const context = await NestFactory.createApplicationContext(
      libraryTestModule({
        databaseUrl: host.databaseUrl,
        channel: TiktokChannelModule.forRoot({ ...wrong, helpdeskPort: RecordingPort }),
      }),
      { logger: false },
    );
    try {
      const report = await context.get(TiktokDiagnostics).run();
      const credentials = find(report, 'app_credentials');
      expect(credentials.verdict).toBe('fail');
      expect(credentials.summary).toMatch(/refused the app id or secret/);
      expect(credentials.fix).toMatch(/developer portal/);
      expect(report.symptoms.cannot_connect).toBe('fail');
      expect(JSON.stringify(report)).not.toContain('not-the-secret');
    } finally {
      await context.close();
    }
    expect(find(await diagnostics.run(), 'app_credentials').verdict).toBe('ok');
  });

  it('fails the webhook registration while none is registered, and passes once it is', async () => {
    const client = host.app.get<TiktokApiClient>(TIKTOK_API_CLIENT);
    await client.deleteWebhook();

    const missing = find(await diagnostics.run(), 'webhook_registration');
    expect(missing.verdict).toBe('fail');
    expect(missing.fix).toMatch(/ensureRegistered\(\)/);

    await client.updateWebhook('https://elsewhere.example/tiktok/webhook');
    expect(find(await diagnostics.run(), 'webhook_registration').summary).toMatch(
      /elsewhere\.example.*not to/,
    );

    const registered = await host.app.get(TiktokWebhookRegistrar).ensureRegistered();
    expect(registered).toMatchObject({ ok: true, changed: true });
    expect(find(await diagnostics.run(), 'webhook_registration').verdict).toBe('ok');
  });

  it('fails the permissions when TikTok no longer grants a scope messaging needs', async () => {
    const account = await connect('scoped.shop');
    expect(find(await runFor(account.id), 'account_scopes', 'scoped.shop').verdict).toBe('ok');

    await faults.setGrantedScopes(account.business_id, [
      'user.info.basic',
      'user.account.type',
      'message.list.read',
      'message.list.manage',
    ]);

    const scopes = find(await runFor(account.id), 'account_scopes', 'scoped.shop');
    expect(scopes.verdict).toBe('fail');
    expect(scopes.summary).toMatch(/message\.list\.send/);
    expect(scopes.fix).toMatch(/Reconnect the inbox .* @scoped\.shop/);
  });

  it('warns when a consent left out permissions messaging can do without', async () => {
    const account = await connect('partial.shop', [
      'user.info.basic',
      'message.list.read',
      'message.list.send',
      'message.list.manage',
    ]);

    const report = await runFor(account.id);

    expect(find(report, 'account_scopes', 'partial.shop')).toMatchObject({ verdict: 'warn' });
    expect(find(report, 'account_scopes', 'partial.shop').summary).toMatch(/user\.account\.type/);
    expect(find(report, 'account_type', 'partial.shop').verdict).toBe('warn');
  });

  it('warns a week before the refresh token expires and fails in its last day', async () => {
    await faults.setTokenLifetimes({ refreshSeconds: 3 * 86_400 });
    const soon = await connect('soon.shop');
    await faults.setTokenLifetimes({ refreshSeconds: 12 * 3600 });
    const last = await connect('lastday.shop');
    await faults.setTokenLifetimes({});

    const warned = find(await runFor(soon.id), 'account_tokens', 'soon.shop');
    expect(warned.verdict).toBe('warn');
    expect(warned.fix).toMatch(/Reconnect .* before \d{4}-\d{2}-\d{2}/);
    expect(find(await runFor(last.id), 'account_tokens', 'lastday.shop').verdict).toBe('fail');
    expect((await runFor(last.id)).symptoms.authorization_expired).toBe('fail');
  });

  it('fails the authorization when TikTok refused the grant, without flagging the account itself', async () => {
    const account = await connect('revoked.shop');
    await fetch(`${host.sandbox.url}/open_api/v1.3/tt_user/oauth2/revoke/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: host.options.appId,
        client_secret: host.appSecret,
        access_token: await accessTokenOf(account.id),
      }),
    });

    const tokens = find(await runFor(account.id), 'account_tokens', 'revoked.shop');

    expect(tokens.verdict).toBe('fail');
    expect(tokens.fix).toMatch(/Reconnect/);
    const { rows } = await host.db.query(`SELECT status FROM tiktok_accounts WHERE id = $1`, [
      account.id,
    ]);
    expect(rows[0].status).toBe('active');
  });

  it('fails on parked events until they are requeued and processed', async () => {
    const account = await connect('parked.shop');
    host.port.failNextAppends = 10;
    const userId = await sandbox.createUser('parked.fan', 'Parked Fan');
    const sent = await sandbox.sendAsUser(userId, account.business_id, 'will you get this?');
    const processor = host.app.get(InboundProcessor);
    await eventually(async () => {
      // The retry clock, driven by hand: each attempt is due at once.
      await host.db.query(
        `UPDATE tiktok_webhook_events SET next_attempt_at = now() WHERE status = 'pending'`,
      );
      await processor.settle();
      const { rows } = await host.db.query(
        `SELECT status FROM tiktok_webhook_events WHERE dedupe_key LIKE $1`,
        [`%${sent.messageId}`],
      );
      return rows[0]?.status === 'failed';
    }, 'the event to be parked');

    const parked = find(await diagnostics.run(), 'parked_events');
    expect(parked.verdict).toBe('fail');
    expect(parked.summary).toMatch(/1 webhook event.*host database unavailable/);
    expect(parked.fix).toMatch(/requeueParkedEvents/);

    expect(await diagnostics.requeueParkedEvents()).toBe(1);
    await host.received(sent.messageId);
    expect(find(await diagnostics.run(), 'parked_events').verdict).toBe('ok');
  });

  it('fails the clock when TikTok’s runs ten minutes off, warns at a minute, passes when it agrees', async () => {
    try {
      await faults.setClockOffset(600);
      const far = find(await diagnostics.run(), 'clock_skew');
      expect(far.verdict).toBe('fail');
      expect(far.summary).toMatch(/ahead of/);
      expect(far.fix).toMatch(/NTP/);

      await faults.setClockOffset(-60);
      const near = find(await diagnostics.run(), 'clock_skew');
      expect(near.verdict).toBe('warn');
      expect(near.summary).toMatch(/behind/);
    } finally {
      await faults.setClockOffset(0);
    }
    expect(find(await diagnostics.run(), 'clock_skew').verdict).toBe('ok');
  });

  it('fails the sync of an account when a customer’s message never arrived as a webhook', async () => {
    const account = await connect('silent.shop');
    const client = host.app.get<TiktokApiClient>(TIKTOK_API_CLIENT);
    await client.deleteWebhook();
    let sent: { messageId: string };
    try {
      const userId = await sandbox.createUser('silent.fan', 'Silent Fan');
      sent = await sandbox.sendAsUser(userId, account.business_id, 'anyone there?');

      // Young, it may still be on its way; once it is not, the account is out of sync.
      const sync = await eventually(async () => {
        const check = find(await runFor(account.id), 'message_sync', 'silent.shop');
        return check.verdict === 'fail' ? check : undefined;
      }, 'the message to be overdue');
      expect(sync.summary).toMatch(
        /never arrived as a webhook; no webhook for this account has ever arrived/,
      );
      expect((await runFor(account.id)).symptoms.messages_not_syncing).toBe('fail');
    } finally {
      await host.app.get(TiktokWebhookRegistrar).ensureRegistered();
    }
    await fetch(`${host.sandbox.url}/sandbox/webhooks/redeliver`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messageId: sent.messageId }),
    });
    await host.received(sent.messageId);
    expect(find(await runFor(account.id), 'message_sync', 'silent.shop').verdict).toBe('ok');
  });

  it('fails the account type when the account was switched to personal', async () => {
    const account = await connect('switched.shop');
    await faults.setAccountType(account.business_id, 'personal');

    const type = find(await runFor(account.id), 'account_type', 'switched.shop');

    expect(type.verdict).toBe('fail');
    expect(type.fix).toMatch(/Business account/);
  });

  it('reports the last send failure with its reason, and clears once a send goes through', async () => {
    const account = await connect('sender.shop');
    const conversationId = await conversationOf(account.business_id, 'sender.fan');
    const messenger = host.app.get(TiktokMessenger);

    await faults.plan({ path: '/business/message/send/', code: 40064, times: 1 });
    await messenger.send({ conversationId, messageId: 'limited', content: 'one more thing' });
    const limited = find(await runFor(account.id), 'send_failures', 'sender.shop');
    expect(limited).toMatchObject({
      verdict: 'warn',
      facts: { lastFailureReason: 'messaging_limit' },
    });

    await faults.plan({ path: '/business/message/send/', code: 50000, times: 3 });
    await messenger.send({ conversationId, messageId: 'down', content: 'hello?' });
    const down = find(await runFor(account.id), 'send_failures', 'sender.shop');
    expect(down.verdict).toBe('fail');
    expect(down.summary).toMatch(/tiktok_unavailable/);

    await messenger.send({ conversationId, messageId: 'fine', content: 'hello again' });
    expect(find(await runFor(account.id), 'send_failures', 'sender.shop').verdict).toBe('ok');
  });

  it('fails the database check and skips the rest when the database is gone, still checking TikTok', async () => {
    const context = await NestFactory.createApplicationContext(
      libraryTestModule({
        databaseUrl: host.databaseUrl,
        channel: TiktokChannelModule.forRoot({ ...host.options, helpdeskPort: RecordingPort }),
      }),
      { logger: false },
    );
    try {
      await context.get(DataSource).destroy();
      const report = await context.get(TiktokDiagnostics).run();
      expect(find(report, 'database').verdict).toBe('fail');
      expect(find(report, 'app_credentials').verdict).toBe('ok');
      expect(report.checks.some((check) => check.account)).toBe(false);
    } finally {
      await context.close().catch(() => undefined);
    }
  });

  async function accessTokenOf(accountId: string): Promise<string> {
    const { rows } = await host.db.query(
      `SELECT access_token_enc FROM tiktok_accounts WHERE id = $1`,
      [accountId],
    );
    return new TokenCipher(host.options.tokenEncryptionKeys).decrypt(rows[0].access_token_enc);
  }
});
