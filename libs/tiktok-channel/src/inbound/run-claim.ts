import type { EntityManager } from 'typeorm';
import { queryRows } from '../persistence/sql';
import type { ConversationRow } from './conversation-link';
import type { InboundEventRow } from './inbound-event';
import type { AccountRow } from './inbound-handlers';

export interface ClaimedEvent extends InboundEventRow {
  /** Its retry time has come. */
  due: boolean;
  /** Row-locked by this transaction: false when another worker holds the row. */
  claimed: boolean;
}

/** One conversation to claim: its lock key and where its events are. */
export interface ClaimWanted {
  lockKey: string;
  businessId: string;
  tiktokConversationId: string | null;
}

export interface RunClaim {
  /** Which conversation of the transaction (its position in what was wanted). */
  index: number;
  /** The conversation's pending events in TikTok order (never empty). */
  events: ClaimedEvent[];
  /** The business's account. */
  account: AccountRow | null;
  /** The library's link row of the conversation, when there is one. */
  link: ConversationRow | null;
}

interface ClaimRow extends ClaimedEvent {
  ord: string;
  account_id: string | null;
  host_inbox_id: string | null;
  link_id: string | null;
  link_tiktok_user_id: string | null;
  link_host_inbox_id: string | null;
  link_host_contact_id: string | null;
  link_host_conversation_id: string | null;
  link_last_inbound_at: Date | null;
}

/**
 * The start of a transaction's runs in ONE statement, for one conversation or several (it was
 * five round trips per conversation): each conversation's advisory lock, then, only for those
 * whose lock was taken, the head of their pending events, their row locks, the account and the
 * link row. A conversation another process holds comes back absent: none of its events is read.
 *
 * Row locks too, for a worker that claims rows without the conversation lock (an older version
 * during a rolling deploy): a row it holds comes back with `claimed` false and stops that
 * conversation's run there, never skipped over.
 */
export async function claimRuns(
  manager: EntityManager,
  wanted: ClaimWanted[],
  perConversation: number,
): Promise<RunClaim[]> {
  const rows = await queryRows<ClaimRow>(manager, CLAIM_SQL, [
    wanted.map((w) => w.lockKey),
    wanted.map((w) => w.businessId),
    wanted.map((w) => w.tiktokConversationId),
    perConversation,
  ]);
  const claims: RunClaim[] = [];
  for (const row of rows) {
    const index = Number(row.ord) - 1;
    let claim = claims[claims.length - 1];
    if (!claim || claim.index !== index) {
      claim = { index, events: [], account: account(row), link: link(row) };
      claims.push(claim);
    }
    claim.events.push({
      id: row.id,
      event: row.event,
      business_id: row.business_id,
      tiktok_conversation_id: row.tiktok_conversation_id,
      event_timestamp: row.event_timestamp,
      content: row.content,
      attempts: row.attempts,
      received_at: row.received_at,
      due: row.due,
      claimed: row.claimed,
    });
  }
  return claims;
}

function account(row: ClaimRow): AccountRow | null {
  return row.account_id ? { id: row.account_id, host_inbox_id: row.host_inbox_id } : null;
}

function link(row: ClaimRow): ConversationRow | null {
  if (!row.link_id) return null;
  return {
    id: row.link_id,
    tiktok_user_id: row.link_tiktok_user_id as string,
    host_inbox_id: row.link_host_inbox_id as string,
    host_contact_id: row.link_host_contact_id as string,
    host_conversation_id: row.link_host_conversation_id as string,
    last_inbound_at: row.link_last_inbound_at,
  };
}

// The lock is taken in `wanted` (materialized: once per conversation, before anything reads
// events) and gates the lateral read of that conversation's events.
const CLAIM_SQL = `
WITH wanted AS MATERIALIZED (
  SELECT w.ord, w.business_id, w.conv,
         pg_try_advisory_xact_lock(hashtextextended(w.lock_key, 0)) AS locked
    FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS w(lock_key, business_id, conv, ord)
),
head AS MATERIALIZED (
  SELECT w.ord, e.*
    FROM wanted w
    CROSS JOIN LATERAL (
      SELECT id, event, business_id, tiktok_conversation_id, event_timestamp, content, attempts,
             received_at, next_attempt_at <= now() AS due
        FROM tiktok_webhook_events
       WHERE w.locked AND status = 'pending' AND business_id = w.business_id
         AND (tiktok_conversation_id = w.conv OR (w.conv IS NULL AND tiktok_conversation_id IS NULL))
       ORDER BY event_timestamp NULLS FIRST, id
       LIMIT $4) e
   WHERE w.locked
),
held AS MATERIALIZED (
  SELECT id FROM tiktok_webhook_events
   WHERE id IN (SELECT id FROM head) AND status = 'pending'
     FOR UPDATE SKIP LOCKED
)
SELECT h.*, EXISTS (SELECT 1 FROM held WHERE held.id = h.id) AS claimed,
       a.id AS account_id, a.host_inbox_id,
       c.id AS link_id, c.tiktok_user_id AS link_tiktok_user_id,
       c.host_inbox_id AS link_host_inbox_id, c.host_contact_id AS link_host_contact_id,
       c.host_conversation_id AS link_host_conversation_id,
       c.last_inbound_at AS link_last_inbound_at
  FROM head h
  LEFT JOIN tiktok_accounts a ON a.business_id = h.business_id
  LEFT JOIN tiktok_conversations c
         ON c.account_id = a.id AND c.tiktok_conversation_id = h.tiktok_conversation_id
 ORDER BY h.ord, h.event_timestamp NULLS FIRST, h.id`;
