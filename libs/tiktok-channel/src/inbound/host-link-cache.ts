import { Injectable } from '@nestjs/common';
import type { ConversationRow } from './conversation-link';

/** Conversations remembered at most; the oldest is dropped first. */
const CAPACITY = 10_000;

/**
 * What this process last had the host confirm for a conversation: the person, the name sent
 * with them, and the host's contact and conversation ids. While the library's link row (read in
 * the run's claim) still names the same host ids, a run of the same person under the same name
 * needs neither `upsertContact` nor `openConversation`: two host round trips per run.
 *
 * Never needed for correctness: a miss asks the host, as every run did before. An event that
 * fails empties it, so the retry asks the host again (the host may have removed a conversation).
 */
@Injectable()
export class HostLinkCache {
  private readonly entries = new Map<string, string>();

  /** True when the host already confirmed this very link (`row` is the stored link row). */
  confirms(
    accountId: string,
    row: ConversationRow,
    personId: string,
    username: string | undefined,
  ): boolean {
    const key = `${accountId}\u0000${row.id}`;
    return this.entries.get(key) === fingerprint(row, personId, username);
  }

  remember(
    accountId: string,
    row: ConversationRow,
    personId: string,
    username: string | undefined,
  ): void {
    const key = `${accountId}\u0000${row.id}`;
    this.entries.delete(key); // re-inserted last: the Map's order is the eviction order
    this.entries.set(key, fingerprint(row, personId, username));
    if (this.entries.size > CAPACITY) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}

function fingerprint(row: ConversationRow, personId: string, username: string | undefined) {
  return JSON.stringify([
    row.host_inbox_id,
    row.host_contact_id,
    row.host_conversation_id,
    personId,
    username ?? null,
  ]);
}
