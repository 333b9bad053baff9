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

export interface RunClaim {
  /** The conversation's pending events in TikTok order; empty when another worker has the lock. */
  events: ClaimedEvent[];
  /** The business's account (undefined when no event was read). */
  account: AccountRow | null | undefined;
  /** The library's link row of the conversation, when there is one. */
  link: ConversationRow | null;
}

interface ClaimRow extends ClaimedEvent {
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
 * The start of a run in ONE statement (it was five round trips): the conversation's advisory lock,
 * then, only when it was taken, the head of its pending events, their row locks, the account and
 * the link row. The lock is an InitPlan evaluated before the scan, so no event is read, let alone
 * claimed, without it.
 *
 * Row locks too, for a worker that claims rows without the conversation lock (an older version
 * during a rolling deploy): a row it holds comes back with `claimed` false and stops the run
 * there, never skipped over.
 */
export async function claimRun(
  manager: EntityManager,
  lockKey: string,
  businessId: string,
  tiktokConversationId: string | null,
  limit: number,
): Promise<RunClaim> {
  const rows = await queryRows<ClaimRow>(manager, CLAIM_SQL, [
    lockKey,
    businessId,
    tiktokConversationId,
    limit,
  ]);
  if (rows.length === 0) return { events: [], account: undefined, link: null };
  const first = rows[0];
  return {
    events: rows.map((row) => ({
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
    })),
    account: first.account_id ? { id: first.account_id, host_inbox_id: first.host_inbox_id } : null,
    link: first.link_id
      ? {
          id: first.link_id,
          tiktok_user_id: first.link_tiktok_user_id as string,
          host_inbox_id: first.link_host_inbox_id as string,
          host_contact_id: first.link_host_contact_id as string,
          host_conversation_id: first.link_host_conversation_id as string,
          last_inbound_at: first.link_last_inbound_at,
        }
      : null,
  };
}

const CLAIM_SQL = `
WITH conversation_lock AS MATERIALIZED (
  SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked
),
head AS MATERIALIZED (
  SELECT id, event, business_id, tiktok_conversation_id, event_timestamp, content, attempts,
         received_at, next_attempt_at <= now() AS due
    FROM tiktok_webhook_events
   WHERE (SELECT locked FROM conversation_lock)
     AND status = 'pending' AND business_id = $2
     AND (tiktok_conversation_id = $3 OR ($3::text IS NULL AND tiktok_conversation_id IS NULL))
   ORDER BY event_timestamp NULLS FIRST, id
   LIMIT $4
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
 ORDER BY h.event_timestamp NULLS FIRST, h.id`;
