import { TiktokTokenService } from '../../libs/tiktok-channel/src';
import { TokenCipher } from '../../libs/tiktok-channel/src/testing';
import { eventually, followRedirects, startHarness, type Harness } from '../support/e2e-harness';
import { HelpdeskClient, type InboxDto } from '../support/helpdesk-client';
import { SandboxControl, SandboxFaults } from '../support/sandbox-control';

/** Connects an account and opens a conversation the business may answer. */
async function connectWithConversation(h: Harness, username: string) {
  const sandbox = new SandboxControl(h.sandbox.url);
  const helpdesk = new HelpdeskClient(h.url);
  await sandbox.queueConsent(username, 'business', 'approve');
  await followRedirects(`${h.url}/tiktok/oauth/authorize`);
  const inbox = (await helpdesk.inboxes()).find((i) => i.channel.username === username) as InboxDto;
  const userId = await sandbox.createUser(`${username}.fan`, 'Fan');
  await sandbox.sendAsUser(userId, inbox.channel.businessId, 'hello?');
  const conversation = await eventually(
    async () => (await helpdesk.conversations(inbox.id))[0],
    'conversation',
  );
  return { sandbox, helpdesk, inbox, conversation };
}

describe('Access tokens', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ backgroundJobs: false });
  });

  afterAll(async () => {
    await h?.close();
  });

  async function accountId(businessId: string): Promise<string> {
    const { rows } = await h.sql.query(`SELECT id FROM tiktok_accounts WHERE business_id = $1`, [
      businessId,
    ]);
    return rows[0].id;
  }

  it('are refreshed and the send retried once when TikTok says the token expired', async () => {
    const { sandbox, helpdesk, inbox, conversation } = await connectWithConversation(h, 'expiring');
    const before = (await sandbox.stats()).refreshes;
    await new SandboxFaults(h.sandbox.url).expireAccessTokens(inbox.channel.businessId);

    const reply = await helpdesk.reply(conversation.id, 'Still here!');
    expect(reply.body).toMatchObject({ status: 'sent' });
    expect((await sandbox.stats()).refreshes).toBe(before + 1);
    // The new pair replaced the old one in the database, still encrypted.
    const { rows } = await h.sql.query(
      `SELECT refresh_token_enc, last_refreshed_at FROM tiktok_accounts WHERE business_id = $1`,
      [inbox.channel.businessId],
    );
    expect(rows[0].last_refreshed_at).not.toBeNull();
    expect(rows[0].refresh_token_enc).toMatch(/^v1:/);
  });

  it('are refreshed once, not once per caller, when many callers find the same stale token', async () => {
    const { sandbox, inbox } = await connectWithConversation(h, 'crowded');
    const id = await accountId(inbox.channel.businessId);
    const tokens = h.app.get(TiktokTokenService);
    const stale = await tokens.getAccessToken(id);
    const before = (await sandbox.stats()).refreshes;

    // Refresh tokens are single-use: a second refresh with the same one would break the grant.
    const results = await Promise.all(
      Array.from({ length: 6 }, () => tokens.refresh(id, { staleAccessToken: stale })),
    );
    expect(new Set(results).size).toBe(1);
    expect(results[0]).not.toBe(stale);
    expect((await sandbox.stats()).refreshes).toBe(before + 1);
    const { rows } = await h.sql.query(
      `SELECT access_token_enc FROM tiktok_accounts WHERE id = $1`,
      [id],
    );
    expect(
      new TokenCipher(h.config.tiktok.tokenEncryptionKeys).decrypt(rows[0].access_token_enc),
    ).toBe(results[0]);
  });

  it('flag the account for reauthorization, tell the host and stop calling TikTok when TikTok keeps refusing the grant', async () => {
    const { sandbox, helpdesk, inbox, conversation } = await connectWithConversation(h, 'revoked');
    const faults = new SandboxFaults(h.sandbox.url);
    await faults.expireAccessTokens(inbox.channel.businessId);
    await faults.plan({ path: '/tt_user/oauth2/refresh_token/', code: 40107, times: 2 });

    // One refusal may be TikTok's mistake: the send waits to be tried again, as when TikTok is
    // unavailable, and the account stays connected.
    const first = await helpdesk.reply(conversation.id, 'Are you there?');
    expect(first.body).toMatchObject({ status: 'pending', failureReason: null });
    expect(
      ((await helpdesk.inboxes()).find((i) => i.id === inbox.id) as InboxDto).channel.status,
    ).toBe('active');

    // Still refused once the grace (10 minutes by default) has passed: the grant is gone.
    await h.sql.query(
      `UPDATE tiktok_accounts
          SET refresh_refused_since = refresh_refused_since - interval '10 minutes',
              refresh_retry_at = now() - interval '1 second'
        WHERE business_id = $1`,
      [inbox.channel.businessId],
    );
    // The reply answers with its status when it is settled within the send's wait; on a loaded
    // machine it may still be pending then, so read the outcome from the conversation.
    const settled = async (messageId: string) =>
      eventually(async () => {
        const message = (await helpdesk.messages(conversation.id)).find((m) => m.id === messageId);
        return message && message.status !== 'pending' ? message : undefined;
      }, `message ${messageId} to settle`);
    const reply = await helpdesk.reply(conversation.id, 'Are you there?');
    expect(await settled(reply.body.id)).toMatchObject({
      status: 'failed',
      failureReason: 'reauthorization_required',
    });
    const flagged = (await helpdesk.inboxes()).find((i) => i.id === inbox.id) as InboxDto;
    expect(flagged.channel.status).toBe('reauthorization_required');

    // A further attempt is refused before reaching TikTok: no refresh loop against a dead grant.
    const stats = await sandbox.stats();
    const again = await helpdesk.reply(conversation.id, 'Hello?');
    expect(await settled(again.body.id)).toMatchObject({
      status: 'failed',
      failureReason: 'reauthorization_required',
    });
    const after = await sandbox.stats();
    expect(after.refreshes).toBe(stats.refreshes);
    expect(after.sends).toBe(stats.sends);
  });

  it('come back to life when the account is reconnected through the same inbox', async () => {
    const helpdesk = new HelpdeskClient(h.url);
    const inbox = (await helpdesk.inboxes()).find(
      (i) => i.channel.username === 'revoked',
    ) as InboxDto;
    await new SandboxControl(h.sandbox.url).queueConsent('revoked', 'business', 'approve');
    const hops = await followRedirects(`${h.url}/tiktok/oauth/authorize?inboxId=${inbox.id}`);
    expect(new URL(hops[hops.length - 1]).searchParams.get('tiktok_status')).toBe('connected');
    const inboxes = await helpdesk.inboxes();
    expect(inboxes.filter((i) => i.channel.username === 'revoked')).toHaveLength(1);
    expect(inboxes.find((i) => i.id === inbox.id)?.channel.status).toBe('active');
  });
});
