import type { ConversationRow } from './conversation-link';
import type { AccountRow } from './inbound-handlers';
import type { MessageBatch } from './message-batch';

/** What one link call established, so the next event of the run can skip the host's round trips. */
export interface CachedLink {
  row: ConversationRow;
  personId: string;
  username: string | undefined;
}

/**
 * State shared by the events of one run (one conversation, one transaction). Events of a
 * conversation mostly repeat the same account, contact and conversation: looked up once per run
 * instead of once per event, and the reply window is moved once, at the end of the run.
 *
 * Everything here describes writes made inside the run's transaction: when an event's savepoint
 * is rolled back, `forgetLinks()` drops what that event may have linked.
 */
export class InboundRun {
  /** The run's plain messages, for one `appendMessages` call (see MessageBatch). */
  constructor(readonly messages: MessageBatch) {}

  readonly accounts = new Map<string, AccountRow | null>();
  /** TikTok message ids of sends of ours among the run's echoes, read once (see findOwnSends). */
  ownSends: ReadonlySet<string> = new Set();
  private readonly links = new Map<string, CachedLink>();
  private readonly stored = new Map<string, ConversationRow | null>();
  /** tiktok_conversations.id → the latest customer message time of the run's processed events. */
  private readonly lastInbound = new Map<string, Date>();

  /** The link row as the run's claim read it (null: none yet); undefined when not read. */
  storedLink(accountId: string, tiktokConversationId: string): ConversationRow | null | undefined {
    return this.stored.get(`${accountId}\u0000${tiktokConversationId}`);
  }

  rememberStored(
    accountId: string,
    tiktokConversationId: string,
    row: ConversationRow | null,
  ): void {
    this.stored.set(`${accountId}\u0000${tiktokConversationId}`, row);
  }

  link(accountId: string, tiktokConversationId: string): CachedLink | undefined {
    return this.links.get(`${accountId}\u0000${tiktokConversationId}`);
  }

  remember(accountId: string, tiktokConversationId: string, link: CachedLink): void {
    this.links.set(`${accountId}\u0000${tiktokConversationId}`, link);
  }

  forgetLinks(): void {
    this.links.clear();
    this.stored.clear();
  }

  /** The customer wrote at `at`: the reply window of `row` opens from there (applied at flush). */
  customerWrote(row: ConversationRow, at: Date): void {
    if (row.last_inbound_at === null || new Date(row.last_inbound_at) < at)
      row.last_inbound_at = at;
    const known = this.lastInbound.get(row.id);
    if (!known || known < at) this.lastInbound.set(row.id, at);
  }

  /**
   * The run's reply-window moves, handed over once (the caller writes them with the run's
   * outcomes, in one statement): GREATEST there keeps a later time already stored.
   */
  takeReplyWindowMoves(): { ids: string[]; ats: Date[] } {
    const ids = [...this.lastInbound.keys()];
    const ats = ids.map((id) => this.lastInbound.get(id) as Date);
    this.lastInbound.clear();
    return { ids, ats };
  }
}
