import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TiktokAccountsService } from '../accounts/tiktok-accounts.service';
import type { TiktokApiClient } from '../api/tiktok-api.client';
import { TiktokApiError } from '../api/tiktok-api.error';
import type { TiktokTokenGrant } from '../api/tiktok-api.types';
import { TiktokEventPublisher } from '../host/tiktok-event-publisher';
import { TiktokEvents, type RefreshTokenExpiringEvent } from '../host/tiktok-events';
import { queryRows } from '../persistence/sql';
import { TIKTOK_API_CLIENT, TIKTOK_TOKEN_CIPHER } from '../tiktok-channel.constants';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import type { TokenCipher } from './token-cipher';
import { TiktokReauthorizationRequiredError } from './token.errors';

interface LockedAccountRow {
  id: string;
  status: string;
  access_token_enc: string;
  refresh_token_enc: string;
  access_token_expires_at: Date;
}

/** How long before a refresh token expires the host is warned. */
const REFRESH_TOKEN_WARNING_SECONDS = 7 * 24 * 60 * 60;

type RefreshOutcome = { token: string } | { revoked: string };

/** Error classes after which refreshing again cannot help: only a person reconnecting can. */
const PERMANENT_REFRESH_FAILURES = new Set([
  'auth_revoked',
  'auth_expired',
  'connect_failed',
  'invalid_request',
]);

/**
 * The only way the library gets an access token. Tokens are refreshed when they come within
 * `refreshLeadSeconds` of expiry, and a refresh of one account runs in one process at a time:
 * TikTok's refresh tokens are single-use, so two concurrent refreshes would make the loser
 * invalidate the winner's grant.
 */
@Injectable()
export class TiktokTokenService {
  private readonly logger = new Logger('TiktokChannel');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TIKTOK_API_CLIENT) private readonly client: TiktokApiClient,
    @Inject(TIKTOK_TOKEN_CIPHER) private readonly cipher: TokenCipher,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
    private readonly accounts: TiktokAccountsService,
    private readonly events: TiktokEventPublisher,
  ) {}

  /** Encrypted columns for a fresh grant, so every writer stores tokens the same way. */
  sealGrant(grant: TiktokTokenGrant, now = new Date()) {
    return {
      accessTokenEnc: this.cipher.encrypt(grant.accessToken),
      refreshTokenEnc: this.cipher.encrypt(grant.refreshToken),
      accessTokenExpiresAt: new Date(now.getTime() + grant.expiresIn * 1000),
      refreshTokenExpiresAt: new Date(now.getTime() + grant.refreshTokenExpiresIn * 1000),
    };
  }

  async getAccessToken(accountId: string): Promise<string> {
    const account = await this.accounts.findById(accountId);
    if (!account) throw new TiktokReauthorizationRequiredError(accountId, 'account not found');
    if (account.status !== 'active') {
      throw new TiktokReauthorizationRequiredError(
        accountId,
        account.statusReason ?? account.status,
      );
    }
    if (!this.isNearExpiry(account.accessTokenExpiresAt))
      return this.cipher.decrypt(account.accessTokenEnc);
    return this.refresh(accountId);
  }

  /**
   * Runs a TikTok call with the account's token. When TikTok says the token expired or is invalid,
   * the token is refreshed once and the call retried once; a second refusal means the grant is gone.
   */
  async withAccessToken<T>(
    accountId: string,
    call: (accessToken: string) => Promise<T>,
  ): Promise<T> {
    const token = await this.getAccessToken(accountId);
    try {
      return await call(token);
    } catch (error) {
      if (!(error instanceof TiktokApiError)) throw error;
      if (error.errorClass === 'auth_revoked') {
        await this.accounts.markReauthorizationRequired(
          accountId,
          `TikTok refused the grant (code ${error.code})`,
        );
        throw new TiktokReauthorizationRequiredError(accountId, error.message);
      }
      if (error.errorClass !== 'auth_expired') throw error;
      const fresh = await this.refresh(accountId, { staleAccessToken: token });
      try {
        return await call(fresh);
      } catch (retryError) {
        if (
          retryError instanceof TiktokApiError &&
          ['auth_expired', 'auth_revoked'].includes(retryError.errorClass)
        ) {
          await this.accounts.markReauthorizationRequired(
            accountId,
            'TikTok refused a freshly refreshed token',
          );
          throw new TiktokReauthorizationRequiredError(accountId, retryError.message);
        }
        throw retryError;
      }
    }
  }

  /**
   * Refreshes under a row lock and re-reads after taking it: if another process refreshed while we
   * waited, its token is used instead of spending the (single-use) refresh token again.
   * With `staleAccessToken`, refreshes even before the lead time unless the token already changed.
   */
  async refresh(accountId: string, options: { staleAccessToken?: string } = {}): Promise<string> {
    const outcome = await this.dataSource.transaction(async (manager): Promise<RefreshOutcome> => {
      const [row] = await queryRows<LockedAccountRow>(
        manager,
        `SELECT id, status, access_token_enc, refresh_token_enc, access_token_expires_at
           FROM tiktok_accounts WHERE id = $1 FOR UPDATE`,
        [accountId],
      );
      if (!row) return { revoked: 'account not found' };
      if (row.status !== 'active') return { revoked: `account is ${row.status}` };
      const current = this.cipher.decrypt(row.access_token_enc);
      const stillGood = options.staleAccessToken
        ? current !== options.staleAccessToken
        : !this.isNearExpiry(row.access_token_expires_at);
      if (stillGood) return { token: current };

      let grant: TiktokTokenGrant;
      try {
        grant = await this.client.refreshAccessToken(this.cipher.decrypt(row.refresh_token_enc));
      } catch (error) {
        if (error instanceof TiktokApiError && PERMANENT_REFRESH_FAILURES.has(error.errorClass)) {
          return { revoked: `refresh refused by TikTok (code ${error.code ?? error.httpStatus})` };
        }
        await manager.query(
          `UPDATE tiktok_accounts SET refresh_failures = refresh_failures + 1 WHERE id = $1`,
          [accountId],
        );
        throw error;
      }
      const sealed = this.sealGrant(grant);
      await manager.query(
        `UPDATE tiktok_accounts
            SET access_token_enc = $2, refresh_token_enc = $3, access_token_expires_at = $4,
                refresh_token_expires_at = $5, scopes = $6, refresh_failures = 0,
                last_refreshed_at = now(), updated_at = now()
          WHERE id = $1`,
        [
          accountId,
          sealed.accessTokenEnc,
          sealed.refreshTokenEnc,
          sealed.accessTokenExpiresAt,
          sealed.refreshTokenExpiresAt,
          grant.scopes,
        ],
      );
      return { token: grant.accessToken };
    });
    if ('token' in outcome) return outcome.token;
    // Flagged outside the transaction: the flag takes the same row lock we just released.
    await this.accounts.markReauthorizationRequired(accountId, outcome.revoked);
    throw new TiktokReauthorizationRequiredError(accountId, outcome.revoked);
  }

  /** Refreshes every active account that is near expiry; used by the background sweep. */
  async refreshDueAccounts(): Promise<{ refreshed: number; failed: number }> {
    const due = await queryRows<{ id: string }>(
      this.dataSource,
      `SELECT id FROM tiktok_accounts
        WHERE status = 'active' AND access_token_expires_at < now() + make_interval(secs => $1)
        ORDER BY access_token_expires_at LIMIT 100`,
      [this.config.refreshLeadSeconds],
    );
    let refreshed = 0;
    let failed = 0;
    for (const { id } of due) {
      try {
        await this.refresh(id);
        refreshed++;
      } catch (error) {
        failed++;
        this.logger.warn(`Refreshing TikTok account ${id} failed: ${(error as Error).message}`);
      }
    }
    return { refreshed, failed };
  }

  /**
   * Tells the host, at most once a day per account, that a refresh token expires within the
   * warning window: once it lapses only a person reconnecting can restore the account, so the host
   * gets the chance to ask for that before messages stop.
   */
  async warnExpiringRefreshTokens(): Promise<number> {
    const rows = await queryRows<{
      id: string;
      host_inbox_id: string;
      refresh_token_expires_at: Date;
    }>(
      this.dataSource,
      `UPDATE tiktok_accounts SET refresh_expiry_warned_at = now()
        WHERE status = 'active' AND host_inbox_id IS NOT NULL
          AND refresh_token_expires_at < now() + make_interval(secs => $1)
          AND (refresh_expiry_warned_at IS NULL OR refresh_expiry_warned_at < now() - interval '1 day')
        RETURNING id, host_inbox_id, refresh_token_expires_at`,
      [REFRESH_TOKEN_WARNING_SECONDS],
    );
    for (const row of rows) {
      this.events.publish<RefreshTokenExpiringEvent>(TiktokEvents.RefreshTokenExpiring, {
        inboxId: row.host_inbox_id,
        accountId: row.id,
        refreshTokenExpiresAt: row.refresh_token_expires_at,
      });
    }
    return rows.length;
  }

  private isNearExpiry(expiresAt: Date): boolean {
    return expiresAt.getTime() - Date.now() <= this.config.refreshLeadSeconds * 1000;
  }
}
