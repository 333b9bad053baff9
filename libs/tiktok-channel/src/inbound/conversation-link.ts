import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TIKTOK_HELPDESK_PORT, type TiktokHelpdeskPort } from '../host/helpdesk-port';
import { queryRows } from '../persistence/sql';
import { HostLinkCache } from './host-link-cache';
import type { InboundAccount } from './inbound-event';
import type { InboundRun } from './inbound-run';

export interface ConversationRow {
  id: string;
  tiktok_user_id: string;
  host_inbox_id: string;
  host_contact_id: string;
  host_conversation_id: string;
  last_inbound_at: Date | null;
}

export interface LinkedConversation {
  row: ConversationRow;
  previous: ConversationRow | null;
  isNew: boolean;
}

const COLUMNS = `id, tiktok_user_id, host_inbox_id, host_contact_id, host_conversation_id, last_inbound_at`;

/** The library's link between a TikTok conversation and the host's contact and conversation. */
@Injectable()
export class ConversationLink {
  constructor(
    @Inject(TIKTOK_HELPDESK_PORT) private readonly port: TiktokHelpdeskPort,
    private readonly hostLinks: HostLinkCache,
  ) {}

  async find(
    manager: EntityManager,
    accountId: string,
    tiktokConversationId: string,
  ): Promise<ConversationRow | null> {
    const [row] = await queryRows<ConversationRow>(
      manager,
      `SELECT ${COLUMNS} FROM tiktok_conversations WHERE account_id = $1 AND tiktok_conversation_id = $2`,
      [accountId, tiktokConversationId],
    );
    return row ?? null;
  }

  /** The conversation a person has with the business, when only the person is known. */
  async findByPerson(
    manager: EntityManager,
    accountId: string,
    tiktokUserId: string,
  ): Promise<{ tiktok_conversation_id: string } | null> {
    const [row] = await queryRows<{ tiktok_conversation_id: string }>(
      manager,
      `SELECT tiktok_conversation_id FROM tiktok_conversations
        WHERE account_id = $1 AND tiktok_user_id = $2 ORDER BY created_at DESC LIMIT 1`,
      [accountId, tiktokUserId],
    );
    return row ?? null;
  }

  /**
   * Contact + conversation in the host, and the library's link row; every step is idempotent.
   * With a `run`, a later event of the same conversation and person reuses the first one's link:
   * three round trips (our row, the host's contact and conversation) saved per event.
   */
  async link(
    manager: EntityManager,
    account: InboundAccount,
    tiktokConversationId: string,
    personId: string,
    username: string | undefined,
    run?: InboundRun,
  ): Promise<LinkedConversation> {
    const cached = run?.link(account.id, tiktokConversationId);
    if (cached && cached.personId === personId && cached.username === username)
      return { row: cached.row, previous: cached.row, isNew: false };
    const known = cached?.row ?? run?.storedLink(account.id, tiktokConversationId);
    // The host confirmed this very link to an earlier run, and the stored row still names it.
    if (
      known &&
      known.host_inbox_id === account.inboxId &&
      known.tiktok_user_id === personId &&
      this.hostLinks.confirms(account.id, known, personId, username)
    ) {
      run?.remember(account.id, tiktokConversationId, { row: known, personId, username });
      return { row: known, previous: known, isNew: false };
    }
    const linked = await this.linkInHost(
      manager,
      account,
      tiktokConversationId,
      personId,
      username,
      known,
    );
    run?.remember(account.id, tiktokConversationId, { row: linked.row, personId, username });
    this.hostLinks.remember(account.id, linked.row, personId, username);
    return linked;
  }

  private async linkInHost(
    manager: EntityManager,
    account: InboundAccount,
    tiktokConversationId: string,
    personId: string,
    username: string | undefined,
    known: ConversationRow | null | undefined,
  ): Promise<LinkedConversation> {
    // The run's copy is newer than the table: it carries reply-window moves not yet flushed (and
    // null when the run's claim found no link row).
    const previous =
      known !== undefined ? known : await this.find(manager, account.id, tiktokConversationId);
    const { contactId } = await this.port.upsertContact({
      inboxId: account.inboxId,
      tiktokUserId: personId,
      username,
      displayName: username,
    });
    const { conversationId, isNew } = await this.port.openConversation({
      inboxId: account.inboxId,
      contactId,
      tiktokConversationId,
    });
    if (
      previous &&
      previous.host_inbox_id === account.inboxId &&
      previous.host_contact_id === contactId &&
      previous.host_conversation_id === conversationId
    ) {
      return { row: previous, previous, isNew }; // the link is already right: no write
    }
    const [row] = await queryRows<ConversationRow>(
      manager,
      `INSERT INTO tiktok_conversations
         (account_id, tiktok_conversation_id, tiktok_user_id, host_inbox_id, host_contact_id, host_conversation_id)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (account_id, tiktok_conversation_id) DO UPDATE
         SET host_inbox_id = EXCLUDED.host_inbox_id, host_contact_id = EXCLUDED.host_contact_id,
             host_conversation_id = EXCLUDED.host_conversation_id
       RETURNING ${COLUMNS}`,
      [account.id, tiktokConversationId, personId, account.inboxId, contactId, conversationId],
    );
    const wrote = previous?.last_inbound_at;
    if (wrote && (!row.last_inbound_at || new Date(row.last_inbound_at) < new Date(wrote)))
      row.last_inbound_at = wrote;
    return { row, previous, isNew };
  }
}
