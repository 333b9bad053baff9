import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  TiktokAccountNotFoundError,
  TiktokAccountsService,
  TiktokEvents,
  TiktokMessenger,
  type AccountDisconnectedEvent,
} from '../../libs/tiktok-channel/src';
import { followRedirects } from '../support/e2e-harness';
import { startLibraryHost, type LibraryHost } from '../support/library-host';
import { SandboxControl, SandboxFaults } from '../support/sandbox-control';

describe('Disconnecting an account', () => {
  let host: LibraryHost;
  let sandbox: SandboxControl;
  let faults: SandboxFaults;
  let accounts: TiktokAccountsService;
  const disconnected: AccountDisconnectedEvent[] = [];

  beforeAll(async () => {
    host = await startLibraryHost('forRoot');
    sandbox = new SandboxControl(host.sandbox.url);
    faults = new SandboxFaults(host.sandbox.url);
    accounts = host.app.get(TiktokAccountsService);
    host.app
      .get(EventEmitter2)
      .on(TiktokEvents.AccountDisconnected, (event: AccountDisconnectedEvent) =>
        disconnected.push(event),
      );
  });

  afterAll(async () => {
    await host?.close();
  });

  async function connect(username: string) {
    await sandbox.queueConsent(username, 'business', 'approve');
    await followRedirects(`${host.url}/tiktok/oauth/authorize`);
    const { rows } = await host.db.query(
      `SELECT id, business_id, host_inbox_id FROM tiktok_accounts WHERE username = $1`,
      [username],
    );
    return rows[0] as { id: string; business_id: string; host_inbox_id: string };
  }

  async function row(id: string) {
    const { rows } = await host.db.query(
      `SELECT status, status_reason, access_token_enc, refresh_token_enc, host_inbox_id
         FROM tiktok_accounts WHERE id = $1`,
      [id],
    );
    return rows[0];
  }

  it('revokes the grant at TikTok, wipes the tokens, keeps the history and tells the host', async () => {
    const account = await connect('leaving.shop');
    const userId = await sandbox.createUser('leaving.fan', 'Fan');
    const sent = await sandbox.sendAsUser(userId, account.business_id, 'hi there');
    const conversationId = (await host.received(sent.messageId)).conversationId;
    const revokesBefore = (await sandbox.stats()).revokesByBusiness[account.business_id] ?? 0;

    const result = await accounts.disconnect(account.id, 'the admin disconnected it');

    expect(result).toEqual({
      accountId: account.id,
      inboxId: account.host_inbox_id,
      alreadyDisconnected: false,
      revocation: 'revoked',
    });
    expect((await sandbox.stats()).revokesByBusiness[account.business_id]).toBe(revokesBefore + 1);
    expect(await row(account.id)).toEqual({
      status: 'disconnected',
      status_reason: 'the admin disconnected it',
      access_token_enc: '',
      refresh_token_enc: '',
      host_inbox_id: account.host_inbox_id,
    });
    expect(host.port.accountStatuses).toContainEqual({
      inboxId: account.host_inbox_id,
      status: 'disconnected',
    });
    expect(disconnected).toContainEqual({
      inboxId: account.host_inbox_id,
      accountId: account.id,
      tenant: 't1',
      reason: 'the admin disconnected it',
      revocation: 'revoked',
    });
    const { rows } = await host.db.query(
      `SELECT 1 FROM tiktok_conversations WHERE account_id = $1`,
      [account.id],
    );
    expect(rows).toHaveLength(1);

    // Nothing uses it any more: a reply fails before TikTok is called.
    const sends = (await sandbox.stats()).sends;
    const outcome = await host.app
      .get(TiktokMessenger)
      .send({ conversationId, messageId: 'after-disconnect', content: 'still there?' });
    expect(outcome).toMatchObject({ status: 'failed', reason: 'reauthorization_required' });
    expect((await sandbox.stats()).sends).toBe(sends);
  });

  it('does nothing more the second time, and tells the host nothing new', async () => {
    const account = await connect('twice.gone');
    await accounts.disconnect(account.id);
    const revokes = (await sandbox.stats()).revokes;
    const told = host.port.accountStatuses.length;

    const again = await accounts.disconnect(account.id);

    expect(again.alreadyDisconnected).toBe(true);
    expect((await sandbox.stats()).revokes).toBe(revokes);
    expect(host.port.accountStatuses).toHaveLength(told);
  });

  it('still wipes the tokens when TikTok cannot be reached, and says the grant may be live', async () => {
    const account = await connect('offline.shop');
    await faults.plan({ path: '/tt_user/oauth2/revoke/', httpStatus: 503, times: 1 });

    const result = await accounts.disconnect(account.id);

    expect(result.revocation).toBe('failed');
    expect(await row(account.id)).toMatchObject({
      status: 'disconnected',
      access_token_enc: '',
      refresh_token_enc: '',
    });
  });

  it('renews a lapsed access token to revoke the grant', async () => {
    const account = await connect('lapsed.shop');
    await faults.expireAccessTokens(account.business_id);
    await host.db.query(
      `UPDATE tiktok_accounts SET access_token_expires_at = now() - interval '1 minute' WHERE id = $1`,
      [account.id],
    );
    const sandboxUrl = host.sandbox.url;
    const stats = async () => {
      const response = await fetch(`${sandboxUrl}/sandbox/stats`);
      return (await response.json()) as {
        refreshesByBusiness: Record<string, number>;
        revokesByBusiness: Record<string, number>;
      };
    };
    const { refreshesByBusiness, revokesByBusiness } = await stats();

    expect((await accounts.disconnect(account.id)).revocation).toBe('revoked');
    const after = await stats();
    expect(after.refreshesByBusiness[account.business_id]).toBe(
      (refreshesByBusiness[account.business_id] ?? 0) + 1,
    );
    expect(after.revokesByBusiness[account.business_id]).toBe(
      (revokesByBusiness[account.business_id] ?? 0) + 1,
    );
  });

  it('comes back into the same inbox, history and all, when the business connects again', async () => {
    const account = await connect('returning.shop');
    await accounts.disconnect(account.id);

    const again = await connect('returning.shop');

    expect(again).toEqual(account);
    expect((await row(account.id)).status).toBe('active');
  });

  it('names an unknown account', async () => {
    await expect(
      accounts.disconnect('00000000-0000-4000-8000-000000000000'),
    ).rejects.toBeInstanceOf(TiktokAccountNotFoundError);
  });
});
