import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';
import { parseCsatRating } from './csat-rating';

/**
 * A customer's new message, seen against the conversation's survey. While a survey awaits an
 * answer, a rating is recorded (keyed by the message, so a redelivered webhook counts once) and
 * the conversation stays resolved; anything else ends the wait and reopens it as usual.
 * Returns whether the message was a rating (the caller must then not reopen the conversation).
 */
export async function takeCsatAnswer(
  tx: EntityManager,
  answer: { conversationId: string; messageId: string; content: string; sentAt: Date },
): Promise<boolean> {
  const [waiting] = await queryRows<{ inbox_id: string }>(
    tx,
    `UPDATE conversations SET csat_requested_at = NULL
      WHERE id = $1 AND csat_requested_at IS NOT NULL AND csat_requested_at <= $2
      RETURNING inbox_id`,
    [answer.conversationId, answer.sentAt],
  );
  if (!waiting) return false;
  const rating = parseCsatRating(answer.content);
  if (rating === undefined) return false;
  await queryRows(
    tx,
    `INSERT INTO csat_ratings (inbox_id, conversation_id, message_id, rating, rated_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (message_id) DO NOTHING`,
    [waiting.inbox_id, answer.conversationId, answer.messageId, rating, answer.sentAt],
  );
  return true;
}
