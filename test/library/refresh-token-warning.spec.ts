import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  TiktokEvents,
  TiktokTokenService,
  type RefreshTokenExpiringEvent,
} from '../../libs/tiktok-channel/src';
import { followRedirects } from '../support/e2e-harness';
import { startLibraryHost, type LibraryHost } from '../support/library-host';
import { SandboxControl } from '../support/sandbox-control';

describe('A refresh token about to expire', () => {
  let host: LibraryHost;
  const warnings: RefreshTokenExpiringEvent[] = [];

  beforeAll(async () => {
    host = await startLibraryHost('forRoot');
    host.app
      .get(EventEmitter2)
      .on(TiktokEvents.RefreshTokenExpiring, (event: RefreshTokenExpiringEvent) =>
        warnings.push(event),
      );
    await new SandboxControl(host.sandbox.url).queueConsent('expiringshop', 'business', 'approve');
    await followRedirects(`${host.url}/tiktok/oauth/authorize`);
  });

  afterAll(async () => {
    await host?.close();
  });

  it('is not announced while it has long to live', async () => {
    expect(await host.app.get(TiktokTokenService).warnExpiringRefreshTokens()).toBe(0);
    expect(warnings).toEqual([]);
  });

  it('is announced to the host once a day, with the inbox and the expiry', async () => {
    const { rows } = await host.db.query(
      `UPDATE tiktok_accounts SET refresh_token_expires_at = now() + interval '2 days'
       RETURNING id, host_inbox_id, refresh_token_expires_at`,
    );
    const tokens = host.app.get(TiktokTokenService);
    expect(await tokens.warnExpiringRefreshTokens()).toBe(1);
    expect(await tokens.warnExpiringRefreshTokens()).toBe(0);
    expect(warnings).toEqual([
      {
        inboxId: rows[0].host_inbox_id,
        accountId: rows[0].id,
        refreshTokenExpiresAt: rows[0].refresh_token_expires_at,
      },
    ]);

    // A day later the host hears it again.
    await host.db.query(
      `UPDATE tiktok_accounts SET refresh_expiry_warned_at = now() - interval '25 hours'`,
    );
    expect(await tokens.warnExpiringRefreshTokens()).toBe(1);
    expect(warnings).toHaveLength(2);
  });
});
