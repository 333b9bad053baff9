import type { DataSource } from 'typeorm';
import { queryRows } from '../persistence/sql';

export interface Candidate {
  business_id: string;
  tiktok_conversation_id: string | null;
}

/** Pending events the first look reads: the oldest ones, in TikTok order. */
export const LOOK_WINDOW = 1000;

/**
 * The conversations whose OLDEST pending event is due, oldest first: a conversation whose head
 * waits for a retry is not a candidate at all, so nothing behind that event can overtake it.
 *
 * The first look reads only the oldest `LOOK_WINDOW` pending events (a short walk of the pending
 * index): a conversation's oldest event in that window is its oldest of all, so every head found
 * there is a true head. Reading every pending event's conversation instead made each look's
 * cost grow with the backlog, just when processing has the most to catch up. When the window is full and yields fewer candidates than
 * asked, the due heads may lie beyond it (a window filled by events that wait, such as a
 * business's early webhooks): then a second look reads them all.
 */
export async function lookForCandidates(
  dataSource: DataSource,
  wanted: number,
): Promise<Candidate[]> {
  const rows = await queryRows<Candidate & { seen: number | null }>(
    dataSource,
    `WITH oldest AS MATERIALIZED (
       SELECT business_id, tiktok_conversation_id, event_timestamp, id, next_attempt_at
         FROM tiktok_webhook_events WHERE status = 'pending'
        ORDER BY event_timestamp NULLS FIRST, id
        LIMIT $2)
     (SELECT business_id, tiktok_conversation_id, NULL::int AS seen FROM (
        SELECT DISTINCT ON (business_id, tiktok_conversation_id) *
          FROM oldest
         ORDER BY business_id, tiktok_conversation_id, event_timestamp NULLS FIRST, id) heads
       WHERE next_attempt_at <= now()
       ORDER BY event_timestamp NULLS FIRST, id
       LIMIT $1)
     UNION ALL
     SELECT NULL, NULL, count(*)::int FROM oldest`,
    [wanted, LOOK_WINDOW],
  );
  const candidates = rows.filter((row) => row.seen === null);
  const seen = rows.find((row) => row.seen !== null)?.seen ?? 0;
  if (candidates.length >= wanted || seen < LOOK_WINDOW) return candidates.map(plain);
  return (
    await queryRows<Candidate>(
      dataSource,
      `SELECT business_id, tiktok_conversation_id FROM (
         SELECT DISTINCT ON (business_id, tiktok_conversation_id)
                business_id, tiktok_conversation_id, event_timestamp, id, next_attempt_at
           FROM tiktok_webhook_events WHERE status = 'pending'
          ORDER BY business_id, tiktok_conversation_id, event_timestamp NULLS FIRST, id) heads
        WHERE next_attempt_at <= now()
        ORDER BY event_timestamp NULLS FIRST, id
        LIMIT $1`,
      [wanted],
    )
  ).map(plain);
}

function plain(row: Candidate): Candidate {
  return { business_id: row.business_id, tiktok_conversation_id: row.tiktok_conversation_id };
}
