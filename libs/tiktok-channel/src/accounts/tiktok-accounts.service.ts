import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import {
  TIKTOK_HELPDESK_PORT,
  type TiktokAccountView,
  type TiktokHelpdeskPort,
} from '../host/helpdesk-port';
import { TiktokEventPublisher } from '../host/tiktok-event-publisher';
import {
  TiktokEvents,
  type AccountDisconnectedEvent,
  type AccountReauthorizationRequiredEvent,
  type TiktokRevocation,
} from '../host/tiktok-events';
import type { TiktokApiClient } from '../api/tiktok-api.client';
import { TIKTOK_API_CLIENT, TIKTOK_TOKEN_CIPHER } from '../tiktok-channel.constants';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import type { TokenCipher } from '../tokens/token-cipher';
import { revokeAndWipe } from './account-disconnect';
import { TiktokAccountEntity } from '../persistence/entities/tiktok-account.entity';
import { queryRows } from '../persistence/sql';
import { toAccountView } from './tiktok-account.view';

export type TiktokAccountWithInbox = TiktokAccountView & { inboxId: string };

export interface TiktokDisconnectResult {
  accountId: string;
  inboxId: string | null;
  /** The account was disconnected before this call: the host was not told again. */
  alreadyDisconnected: boolean;
  revocation: TiktokRevocation;
}

/** `disconnect` was given an id no account has. */
export class TiktokAccountNotFoundError extends Error {
  override readonly name = 'TiktokAccountNotFoundError';
  constructor(readonly accountId: string) {
    super(`No TikTok account ${accountId}`);
  }
}

@Injectable()
export class TiktokAccountsService {
  private readonly logger = new Logger('TiktokChannel');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TIKTOK_HELPDESK_PORT) private readonly port: TiktokHelpdeskPort,
    private readonly events: TiktokEventPublisher,
    @Inject(TIKTOK_API_CLIENT) private readonly client: TiktokApiClient,
    @Inject(TIKTOK_TOKEN_CIPHER) private readonly cipher: TokenCipher,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
  ) {}

  private get repo() {
    return this.dataSource.getRepository(TiktokAccountEntity);
  }

  async listByInboxIds(inboxIds: string[]): Promise<TiktokAccountWithInbox[]> {
    if (inboxIds.length === 0) return [];
    const accounts = await this.repo.findBy({ hostInboxId: In(inboxIds) });
    return accounts.map((account) => ({
      ...toAccountView(account),
      inboxId: account.hostInboxId as string,
    }));
  }

  /** The account connected as this host inbox, if any. */
  async findByInboxId(inboxId: string): Promise<TiktokAccountWithInbox | null> {
    return (await this.listByInboxIds([inboxId]))[0] ?? null;
  }

  /**
   * Disconnects an account for good: it is marked `disconnected` (so nothing uses it any more),
   * TikTok's grant is revoked, the stored tokens are wiped, and the host is told through
   * `onAccountStatus` and `tiktok.account.disconnected`. Conversations, messages and the inbox link
   * stay, so connecting the same business again (to the same inbox) picks the history up again.
   *
   * Idempotent: disconnecting a disconnected account only finishes what an interrupted call left
   * (revoke and wipe) and tells the host nothing new. When TikTok cannot be reached the tokens are
   * still wiped and `revocation` is `failed`: the person can remove the app in TikTok's settings.
   */
  async disconnect(
    accountId: string,
    reason = 'disconnected by the host',
  ): Promise<TiktokDisconnectResult> {
    const changed = await queryRows<{ host_inbox_id: string | null; tenant: string }>(
      this.dataSource,
      `UPDATE tiktok_accounts SET status = 'disconnected', status_reason = $2, updated_at = now()
        WHERE id = $1 AND status <> 'disconnected' RETURNING host_inbox_id, tenant`,
      [accountId, reason],
    );
    const account = await this.findById(accountId);
    if (!account) throw new TiktokAccountNotFoundError(accountId);
    const alreadyDisconnected = changed.length === 0;
    if (alreadyDisconnected && account.accessTokenEnc === '' && account.refreshTokenEnc === '') {
      return {
        accountId,
        inboxId: account.hostInboxId,
        alreadyDisconnected,
        revocation: 'already_invalid',
      };
    }
    const revocation = await revokeAndWipe(
      this.dataSource,
      this.client,
      this.cipher,
      accountId,
      // A refresh in flight is waited for at most as long as its lease can last.
      Math.max(60_000, this.config.requestTimeoutMs * 3),
    );
    if (revocation === 'failed') {
      this.logger.warn(
        `TikTok account ${accountId} is disconnected, but TikTok's grant could not be revoked`,
      );
    }
    const inboxId = account.hostInboxId;
    if (!alreadyDisconnected && inboxId) {
      await this.port.onAccountStatus({ inboxId, status: 'disconnected', reason });
      this.events.publish<AccountDisconnectedEvent>(TiktokEvents.AccountDisconnected, {
        inboxId,
        accountId,
        tenant: account.tenant,
        reason,
        revocation,
      });
    }
    return { accountId, inboxId, alreadyDisconnected, revocation };
  }

  findByBusinessId(businessId: string): Promise<TiktokAccountEntity | null> {
    return this.repo.findOneBy({ businessId });
  }

  findById(id: string): Promise<TiktokAccountEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /**
   * The grant is gone: stop using the account and tell the host once, so a person reconnects it.
   * Retrying would only repeat the failure (and TikTok may throttle the app for it).
   */
  async markReauthorizationRequired(accountId: string, reason: string): Promise<void> {
    const rows = await queryRows<{ host_inbox_id: string | null }>(
      this.dataSource,
      `UPDATE tiktok_accounts SET status = 'reauthorization_required', status_reason = $2, updated_at = now()
        WHERE id = $1 AND status = 'active' RETURNING host_inbox_id`,
      [accountId, reason],
    );
    if (rows.length === 0) return; // already flagged: the host was told then
    await this.announceReauthorizationRequired(accountId, rows[0].host_inbox_id, reason);
  }

  /**
   * Tells the host that an account was just flagged (by whoever flipped its status, once): the
   * port first, then the automation event.
   */
  async announceReauthorizationRequired(
    accountId: string,
    inboxId: string | null,
    reason: string,
  ): Promise<void> {
    this.logger.warn(`TikTok account ${accountId} needs reauthorization: ${reason}`);
    if (!inboxId) return;
    await this.port.onAccountStatus({ inboxId, status: 'reauthorization_required', reason });
    this.events.publish<AccountReauthorizationRequiredEvent>(
      TiktokEvents.AccountReauthorizationRequired,
      {
        inboxId,
        accountId,
        reason,
      },
    );
  }
}
