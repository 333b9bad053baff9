import type { EntityManager } from 'typeorm';

export interface FinishedEvent {
  id: string;
  /** Its conversation (`conversationOf`): a refused message takes back only its own. */
  conversation: string;
  status: 'processed' | 'ignored';
  note: string | null;
}

/**
 * The end of a run in ONE statement: the outcomes of its settled events and the reply-window
 * moves of its conversations (GREATEST keeps a later time already stored).
 */
export async function finishRun(
  manager: EntityManager,
  finished: FinishedEvent[],
  moves: { ids: string[]; ats: Date[] },
): Promise<void> {
  if (finished.length === 0 && moves.ids.length === 0) return;
  await manager.query(
    `WITH moved AS (
       UPDATE tiktok_conversations c
          SET last_inbound_at = GREATEST(COALESCE(c.last_inbound_at, m.at), m.at)
         FROM unnest($4::uuid[], $5::timestamptz[]) AS m(id, at)
        WHERE c.id = m.id)
     UPDATE tiktok_webhook_events e
        SET status = f.status, last_error = f.note, processed_at = now()
       FROM unnest($1::bigint[], $2::text[], $3::text[]) AS f(id, status, note)
      WHERE e.id = f.id`,
    [
      finished.map((f) => f.id),
      finished.map((f) => f.status),
      finished.map((f) => f.note),
      moves.ids,
      moves.ats,
    ],
  );
}
