import { TiktokTokenService } from '../../libs/tiktok-channel/src';
import { TokenCipher } from '../../libs/tiktok-channel/src/testing';
import {
  basicAuthorization,
  followRedirects,
  startHarness,
  type Harness,
} from '../support/e2e-harness';
import { SandboxControl } from '../support/sandbox-control';

describe('Tokens at rest', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ backgroundJobs: false });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('are nowhere in the database in plain text, yet decrypt to the tokens TikTok accepts', async () => {
    await new SandboxControl(h.sandbox.url).queueConsent('tokenshop', 'business', 'approve');
    await followRedirects(`${h.url}/tiktok/oauth/authorize`);

    const { rows: accounts } = await h.sql.query<{
      id: string;
      access_token_enc: string;
      refresh_token_enc: string;
    }>(`SELECT id, access_token_enc, refresh_token_enc FROM tiktok_accounts`);
    expect(accounts).toHaveLength(1);
    const cipher = new TokenCipher(h.config.tiktok.tokenEncryptionKeys);
    const accessToken = cipher.decrypt(accounts[0].access_token_enc);
    const refreshToken = cipher.decrypt(accounts[0].refresh_token_enc);
    // The decrypted token is the live one: the library hands out exactly this to API calls.
    expect(await h.app.get(TiktokTokenService).getAccessToken(accounts[0].id)).toBe(accessToken);

    // Every row of every table, as text: neither token appears anywhere.
    const { rows: tables } = await h.sql.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    let dump = '';
    for (const { table_name } of tables) {
      const { rows } = await h.sql.query(
        `SELECT row_to_json(t)::text AS row FROM "${table_name}" t`,
      );
      dump += rows.map((r) => r.row).join('\n');
    }
    expect(dump.length).toBeGreaterThan(0);
    expect(dump).not.toContain(accessToken);
    expect(dump).not.toContain(refreshToken);
  });

  it('are never returned by the helpdesk API', async () => {
    const { rows } = await h.sql.query<{ access_token_enc: string }>(
      `SELECT access_token_enc FROM tiktok_accounts`,
    );
    const accessToken = new TokenCipher(h.config.tiktok.tokenEncryptionKeys).decrypt(
      rows[0].access_token_enc,
    );
    const inboxes = await (
      await fetch(`${h.url}/api/inboxes`, {
        headers: { authorization: basicAuthorization(h.admin) },
      })
    ).text();
    expect(inboxes).toContain('tokenshop');
    expect(inboxes).not.toContain(accessToken);
    expect(inboxes).not.toContain(rows[0].access_token_enc);
  });
});
