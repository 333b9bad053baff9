import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TiktokAccountsService } from '../accounts/tiktok-accounts.service';
import type { TiktokApiClient } from '../api/tiktok-api.client';
import { TiktokApiError } from '../api/tiktok-api.error';
import type { TiktokBusinessProfile, TiktokTokenGrant } from '../api/tiktok-api.types';
import {
  TIKTOK_HELPDESK_PORT,
  type TiktokAccountView,
  type TiktokHelpdeskPort,
} from '../host/helpdesk-port';
import { TiktokEventPublisher } from '../host/tiktok-event-publisher';
import { TiktokEvents, type AccountConnectedEvent } from '../host/tiktok-events';
import { TiktokAccountEntity } from '../persistence/entities/tiktok-account.entity';
import { queryRows } from '../persistence/sql';
import { TIKTOK_API_CLIENT } from '../tiktok-channel.constants';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import type { TiktokConnectContext } from '../tiktok-channel.options';
import { TiktokTokenService } from '../tokens/tiktok-token.service';
import { accountIdFor } from './account-id';
import type { ConnectFailureReason, ConnectResult } from './connect-result';
import type { OauthCallbackQuery } from './oauth-callback.query';
import { OauthStateService } from './oauth-state.service';

type Failure = Extract<ConnectResult, { status: 'error' }>;

/** Everything between TikTok's redirect back and the host's page: the "Connect" flow of the design. */
@Injectable()
export class TiktokConnectService {
  private readonly logger = new Logger('TiktokChannel');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TIKTOK_API_CLIENT) private readonly client: TiktokApiClient,
    @Inject(TIKTOK_HELPDESK_PORT) private readonly port: TiktokHelpdeskPort,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
    private readonly states: OauthStateService,
    private readonly tokens: TiktokTokenService,
    private readonly accounts: TiktokAccountsService,
    private readonly events: TiktokEventPublisher,
  ) {}

  /** TikTok's consent URL for this context, with a state only `browserKey`'s browser can complete. */
  async authorizeUrl(context: TiktokConnectContext, browserKey: string): Promise<string> {
    const state = await this.states.issue(context, browserKey);
    const url = new URL(this.config.authorizeUrl);
    url.searchParams.set('client_key', this.config.appId);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', this.config.scopes.join(','));
    url.searchParams.set('redirect_uri', this.config.redirectUri);
    url.searchParams.set('state', state);
    return url.toString();
  }

  /** A callback whose parameters are unusable: nothing in it can be trusted, not even the state. */
  rejectMalformed(problems: string[]): ConnectResult {
    return this.fail(this.config.defaultReturnUrl, 'invalid_callback', problems.join('; '));
  }

  async complete(
    query: OauthCallbackQuery,
    browserKey: string | undefined,
  ): Promise<ConnectResult> {
    // The state and its browser are checked before anything else: an unverified callback must
    // not spend a code, and a consent finished in another browser must not connect anything.
    const claim = await this.states.consume(query.state, browserKey);
    if (!claim.ok) {
      return this.fail(claim.returnUrl ?? this.config.defaultReturnUrl, claim.reason);
    }
    const context = claim.context;
    if (query.error) {
      const reason = query.error === 'access_denied' ? 'access_denied' : 'authorization_failed';
      return this.fail(context.returnUrl, reason, query.error_description ?? query.error);
    }
    const code = query.code ?? query.auth_code;
    if (!code) return this.fail(context.returnUrl, 'missing_code');

    let grant: TiktokTokenGrant;
    try {
      grant = await this.client.exchangeAuthCode({
        authCode: code,
        redirectUri: this.config.redirectUri,
      });
    } catch (error) {
      const appRefused = error instanceof TiktokApiError && error.errorClass === 'auth_revoked';
      return this.fail(
        context.returnUrl,
        appRefused ? 'app_credentials_rejected' : 'exchange_failed',
        (error as Error).message,
      );
    }

    // From here on TikTok holds a live grant: every refusal revokes it (see refuse()).
    const missing = this.config.requiredScopes.filter((scope) => !grant.scopes.includes(scope));
    if (missing.length > 0) {
      return this.refuse(grant, context.returnUrl, 'missing_scopes', missing.join(','));
    }

    let profile: TiktokBusinessProfile;
    try {
      profile = await this.client.getBusinessProfile(grant.accessToken, grant.openId);
    } catch (error) {
      return this.refuse(grant, context.returnUrl, 'profile_failed', (error as Error).message);
    }
    if (profile.accountType === 'personal') {
      return this.refuse(grant, context.returnUrl, 'personal_account');
    }

    try {
      return await this.store(context, grant, profile);
    } catch (error) {
      this.logger.error(
        `Storing TikTok account ${grant.openId} failed: ${(error as Error).message}`,
      );
      return this.refuse(grant, context.returnUrl, 'internal_error');
    }
  }

  /**
   * Creates or updates the account together with its inbox. The host's inbox comes first, keyed by
   * the account id the row will have; then one statement inserts the row with its inbox, or updates
   * it. So no webhook ever finds the account without an inbox (it would be ignored for good), and
   * two callbacks connecting the same new business at once pick the same id (derived from the
   * business), get the same inbox, and both end connected: the second one's INSERT becomes an update.
   */
  private async store(
    context: TiktokConnectContext,
    grant: TiktokTokenGrant,
    profile: TiktokBusinessProfile,
  ): Promise<ConnectResult> {
    const existing = await this.accounts.findByBusinessId(grant.openId);
    if (existing && existing.tenant !== context.tenant) {
      return this.refuse(grant, context.returnUrl, 'already_connected_elsewhere');
    }
    if (context.inboxId) {
      const holder = await this.dataSource
        .getRepository(TiktokAccountEntity)
        .findOneBy({ hostInboxId: context.inboxId });
      if (holder && holder.businessId !== grant.openId) {
        return this.refuse(grant, context.returnUrl, 'inbox_mismatch');
      }
    }

    const sealed = this.tokens.sealGrant(grant);
    const account: TiktokAccountView = {
      accountId: existing?.id ?? accountIdFor(grant.openId),
      businessId: grant.openId,
      username: profile.username,
      displayName: profile.displayName,
      ...(profile.profileImageUrl ? { profileImageUrl: profile.profileImageUrl } : {}),
      status: 'active',
      scopes: grant.scopes,
      accessTokenExpiresAt: sealed.accessTokenExpiresAt,
      refreshTokenExpiresAt: sealed.refreshTokenExpiresAt,
    };
    const { inboxId } = await this.port.upsertInbox({
      tenant: context.tenant,
      account,
      inboxId: context.inboxId ?? existing?.hostInboxId ?? undefined,
    });

    // ON CONFLICT only absorbs a clash on business_id; two callbacks inserting the same new row at
    // once would clash on the primary key (and host_inbox_id) too. A lock per business, held for
    // this one statement, makes the second one see the first's row and update it.
    const [row] = await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `tiktok-channel:connect:${grant.openId}`,
      ]);
      return queryRows<{ inserted: boolean }>(
        manager,
        `INSERT INTO tiktok_accounts
         (id, tenant, host_inbox_id, business_id, username, display_name, profile_image_url, status,
          scopes, access_token_enc, refresh_token_enc, access_token_expires_at, refresh_token_expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9, $10, $11, $12)
       ON CONFLICT (business_id) DO UPDATE SET
         host_inbox_id = EXCLUDED.host_inbox_id, username = EXCLUDED.username,
         display_name = EXCLUDED.display_name, profile_image_url = EXCLUDED.profile_image_url,
         status = 'active', status_reason = NULL, scopes = EXCLUDED.scopes,
         access_token_enc = EXCLUDED.access_token_enc, refresh_token_enc = EXCLUDED.refresh_token_enc,
         access_token_expires_at = EXCLUDED.access_token_expires_at,
         refresh_token_expires_at = EXCLUDED.refresh_token_expires_at,
         refresh_failures = 0, refresh_retry_at = NULL, refresh_expiry_warned_at = NULL,
         connected_at = now(), updated_at = now()
       WHERE tiktok_accounts.tenant = EXCLUDED.tenant
       RETURNING (xmax = 0) AS inserted`,
        [
          account.accountId,
          context.tenant,
          inboxId,
          grant.openId,
          profile.username,
          profile.displayName,
          profile.profileImageUrl ?? null,
          grant.scopes,
          sealed.accessTokenEnc,
          sealed.refreshTokenEnc,
          sealed.accessTokenExpiresAt,
          sealed.refreshTokenExpiresAt,
        ],
      );
    });
    // Another tenant connected the same business between our read and this statement.
    if (!row) return this.refuse(grant, context.returnUrl, 'already_connected_elsewhere');

    const reconnected = !row.inserted;
    if (reconnected) await this.port.onAccountStatus({ inboxId, status: 'active' });
    this.events.publish<AccountConnectedEvent>(TiktokEvents.AccountConnected, {
      inboxId,
      tenant: context.tenant,
      account,
      reconnected,
    });
    return { status: 'connected', returnUrl: context.returnUrl, inboxId, reconnected };
  }

  private fail(returnUrl: string, reason: ConnectFailureReason, detail?: string): Failure {
    this.logger.warn(`TikTok connection failed: ${reason}${detail ? ` (${detail})` : ''}`);
    return { status: 'error', returnUrl, reason, detail };
  }

  /**
   * A refusal after the code was exchanged: TikTok's grant is revoked, so a refused connection
   * leaves nothing live behind. Except when this business already has an active connection here:
   * TikTok keeps one grant per app and account, so revoking would cut that working connection.
   */
  private async refuse(
    grant: TiktokTokenGrant,
    returnUrl: string,
    reason: ConnectFailureReason,
    detail?: string,
  ): Promise<Failure> {
    let inUse: boolean;
    try {
      const rows = await queryRows(
        this.dataSource,
        `SELECT 1 FROM tiktok_accounts WHERE business_id = $1 AND status = 'active'`,
        [grant.openId],
      );
      inUse = rows.length > 0;
    } catch (error) {
      // Unsure whether a working connection depends on this grant: leaving it is the lesser harm.
      this.logger.warn(
        `Not revoking the grant of ${grant.openId}: its use could not be checked (${(error as Error).message})`,
      );
      inUse = true;
    }
    if (!inUse) await this.revokeQuietly(grant.accessToken);
    return this.fail(returnUrl, reason, detail);
  }

  private async revokeQuietly(accessToken: string): Promise<void> {
    try {
      await this.client.revokeAccessToken(accessToken);
    } catch (error) {
      this.logger.warn(`Revoking an unused TikTok grant failed: ${(error as Error).message}`);
    }
  }
}
