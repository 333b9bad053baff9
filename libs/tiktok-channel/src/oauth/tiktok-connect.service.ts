import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { toAccountView } from '../accounts/tiktok-account.view';
import { TiktokAccountsService } from '../accounts/tiktok-accounts.service';
import type { TiktokApiClient } from '../api/tiktok-api.client';
import type { TiktokBusinessProfile, TiktokTokenGrant } from '../api/tiktok-api.types';
import { TIKTOK_HELPDESK_PORT, type TiktokHelpdeskPort } from '../host/helpdesk-port';
import { TiktokEventPublisher } from '../host/tiktok-event-publisher';
import { TiktokEvents, type AccountConnectedEvent } from '../host/tiktok-events';
import { TiktokAccountEntity } from '../persistence/entities/tiktok-account.entity';
import { TIKTOK_API_CLIENT } from '../tiktok-channel.constants';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import type { TiktokConnectContext } from '../tiktok-channel.options';
import { TiktokTokenService } from '../tokens/tiktok-token.service';
import type { ConnectResult } from './connect-result';
import type { OauthCallbackQuery } from './oauth-callback.query';
import { OauthStateService } from './oauth-state.service';

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

  async authorizeUrl(context: TiktokConnectContext): Promise<string> {
    const state = await this.states.issue(context);
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

  async complete(query: OauthCallbackQuery): Promise<ConnectResult> {
    // The state is checked before anything else: an unverified callback must not spend a code.
    const context = await this.states.consume(query.state);
    if (!context) {
      const known = await this.states.peek(query.state);
      return this.fail(known?.returnUrl ?? this.config.defaultReturnUrl, 'invalid_state');
    }
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
      return this.fail(context.returnUrl, 'exchange_failed', (error as Error).message);
    }

    const missing = this.config.requiredScopes.filter((scope) => !grant.scopes.includes(scope));
    if (missing.length > 0) {
      await this.revokeQuietly(grant.accessToken);
      return this.fail(context.returnUrl, 'missing_scopes', missing.join(','));
    }

    let profile: TiktokBusinessProfile;
    try {
      profile = await this.client.getBusinessProfile(grant.accessToken, grant.openId);
    } catch (error) {
      return this.fail(context.returnUrl, 'profile_failed', (error as Error).message);
    }
    if (profile.accountType === 'personal') {
      await this.revokeQuietly(grant.accessToken);
      return this.fail(context.returnUrl, 'personal_account');
    }

    try {
      return await this.store(context, grant, profile);
    } catch (error) {
      this.logger.error(
        `Storing TikTok account ${grant.openId} failed: ${(error as Error).message}`,
      );
      return this.fail(context.returnUrl, 'internal_error');
    }
  }

  private async store(
    context: TiktokConnectContext,
    grant: TiktokTokenGrant,
    profile: TiktokBusinessProfile,
  ): Promise<ConnectResult> {
    const existing = await this.accounts.findByBusinessId(grant.openId);
    if (existing && existing.tenant !== context.tenant) {
      await this.revokeQuietly(grant.accessToken);
      return this.fail(context.returnUrl, 'already_connected_elsewhere');
    }
    if (context.inboxId) {
      const holder = await this.dataSource
        .getRepository(TiktokAccountEntity)
        .findOneBy({ hostInboxId: context.inboxId });
      if (holder && holder.businessId !== grant.openId)
        return this.fail(context.returnUrl, 'inbox_mismatch');
    }

    const sealed = this.tokens.sealGrant(grant);
    const repo = this.dataSource.getRepository(TiktokAccountEntity);
    const account =
      existing ??
      repo.create({ tenant: context.tenant, businessId: grant.openId, hostInboxId: null });
    Object.assign(account, sealed, {
      username: profile.username,
      displayName: profile.displayName,
      profileImageUrl: profile.profileImageUrl ?? null,
      status: 'active',
      statusReason: null,
      scopes: grant.scopes,
      refreshFailures: 0,
    });
    const saved = await repo.save(account);

    const { inboxId } = await this.port.upsertInbox({
      tenant: context.tenant,
      account: toAccountView(saved),
      inboxId: context.inboxId ?? saved.hostInboxId ?? undefined,
    });
    if (saved.hostInboxId !== inboxId)
      await repo.update({ id: saved.id }, { hostInboxId: inboxId });
    const reconnected = existing !== null;
    if (reconnected) await this.port.onAccountStatus({ inboxId, status: 'active' });

    this.events.publish<AccountConnectedEvent>(TiktokEvents.AccountConnected, {
      inboxId,
      tenant: context.tenant,
      account: toAccountView(saved),
      reconnected,
    });
    return { status: 'connected', returnUrl: context.returnUrl, inboxId, reconnected };
  }

  private fail(
    returnUrl: string,
    reason: Exclude<ConnectResult, { status: 'connected' }>['reason'],
    detail?: string,
  ) {
    this.logger.warn(`TikTok connection failed: ${reason}${detail ? ` (${detail})` : ''}`);
    return { status: 'error' as const, returnUrl, reason, detail };
  }

  /** A refused connection should not leave a live grant behind at TikTok. */
  private async revokeQuietly(accessToken: string): Promise<void> {
    try {
      await this.client.revokeAccessToken(accessToken);
    } catch (error) {
      this.logger.warn(`Revoking an unused TikTok grant failed: ${(error as Error).message}`);
    }
  }
}
