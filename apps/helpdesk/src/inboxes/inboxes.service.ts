import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { TiktokAccountsService } from 'tiktok-channel';
import { Repository } from 'typeorm';
import { InboxEntity } from '../database/entities/inbox.entity';
import { toInboxView, type InboxView } from './inbox.view';

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

  async exists(id: string): Promise<boolean> {
    return this.inboxes.existsBy({ id });
  }
}
