import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { TiktokAccountsService, type TiktokDisconnectResult } from 'tiktok-channel';
import { Repository } from 'typeorm';
import { InboxEntity } from '../database/entities/inbox.entity';
import { toInboxView, type InboxView } from './inbox.view';

/** The answer of `POST /api/inboxes/:id/disconnect`. */
export interface InboxDisconnected {
  inbox: InboxView;
  /** `failed`: TikTok could not be reached, so its grant may still be live (remove the app in TikTok). */
  revocation: TiktokDisconnectResult['revocation'];
}

@Injectable()
export class InboxesService {
  constructor(
    @InjectRepository(InboxEntity) private readonly inboxes: Repository<InboxEntity>,
    private readonly accounts: TiktokAccountsService,
  ) {}

  async list(): Promise<InboxView[]> {
    const inboxes = await this.inboxes.find({ order: { createdAt: 'ASC' } });
    const accounts = await this.accounts.listByInboxIds(inboxes.map((inbox) => inbox.id));
    const byInbox = new Map(accounts.map((account) => [account.inboxId, account]));
    return inboxes.map((inbox) => toInboxView(inbox, byInbox.get(inbox.id)));
  }

  async get(id: string): Promise<InboxView> {
    const inbox = await this.inboxes.findOneBy({ id });
    if (!inbox) throw new NotFoundException(`Inbox ${id} does not exist`);
    const [account] = await this.accounts.listByInboxIds([id]);
    return toInboxView(inbox, account);
  }

  /** An admin's name for the inbox; a reconnect keeps it. */
  async rename(id: string, name: string): Promise<InboxView> {
    const result = await this.inboxes.update({ id }, { name: name.trim() });
    if (!result.affected) throw new NotFoundException(`Inbox ${id} does not exist`);
    return this.get(id);
  }

  async exists(id: string): Promise<boolean> {
    return this.inboxes.existsBy({ id });
  }

  async disconnect(id: string): Promise<InboxDisconnected> {
    if (!(await this.exists(id))) throw new NotFoundException(`Inbox ${id} does not exist`);
    const [account] = await this.accounts.listByInboxIds([id]);
    if (!account) throw new ConflictException(`Inbox ${id} has no TikTok account to disconnect`);
    const result = await this.accounts.disconnect(
      account.accountId,
      'disconnected from the helpdesk',
    );
    // The library told the adapter (onAccountStatus) before answering: the view is current.
    const inbox = await this.inboxes.findOneByOrFail({ id });
    const [current] = await this.accounts.listByInboxIds([id]);
    return { inbox: toInboxView(inbox, current), revocation: result.revocation };
  }
}
