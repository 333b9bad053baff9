import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import {
  TIKTOK_HELPDESK_PORT,
  type TiktokAccountView,
  type TiktokHelpdeskPort,
} from '../host/helpdesk-port';
import { TiktokEventPublisher } from '../host/tiktok-event-publisher';
import { TiktokEvents, type AccountReauthorizationRequiredEvent } from '../host/tiktok-events';
import { TiktokAccountEntity } from '../persistence/entities/tiktok-account.entity';
import { queryRows } from '../persistence/sql';
import { toAccountView } from './tiktok-account.view';

export type TiktokAccountWithInbox = TiktokAccountView & { inboxId: string };

@Injectable()
export class TiktokAccountsService {
  private readonly logger = new Logger('TiktokChannel');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TIKTOK_HELPDESK_PORT) private readonly port: TiktokHelpdeskPort,
    private readonly events: TiktokEventPublisher,
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
