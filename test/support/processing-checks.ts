import type { Client } from 'pg';
import { eventually } from './e2e-harness';
import type { WebhookLoadResult } from './webhook-load';

export interface ProcessingOutcome {
  /** Per TikTok conversation id, the host's messages (their TikTok ids) in the order the host got them. */
  hostOrder: Map<string, string[]>;
  /** The library's rows for the load's conversations, by status. */
  libraryStatuses: Record<string, number>;
}

/**
 * Waits until the host (the demo's `messages` table) holds as many of the load's messages as
 * were acknowledged, then reads them back in the order the host created them, per conversation.
 * The order is the host's own commit order (`created_at` is the time of the appendMessage
 * transaction, one after another within a conversation), not TikTok's timestamp.
 */
export async function waitForProcessing(
  sql: Client,
  load: WebhookLoadResult,
  deadlineMs = 180_000,
): Promise<ProcessingOutcome> {
  const ids = [...load.acknowledged.values()].flat();
  const conversations = [...load.acknowledged.keys()];
  await eventually(
    async () => {
      const { rows } = await sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM messages WHERE external_id = ANY($1)`,
        [ids],
      );
      return rows[0].n >= ids.length;
    },
    `${ids.length} acknowledged events to reach the host`,
    deadlineMs,
  );
  const { rows } = await sql.query<{ conversation: string; message: string }>(
    `SELECT c.tiktok_conversation_id AS conversation, m.external_id AS message
       FROM messages m JOIN conversations c ON c.id = m.conversation_id
      WHERE c.tiktok_conversation_id = ANY($1)
      ORDER BY m.created_at, m.id`,
    [conversations],
  );
  const hostOrder = new Map<string, string[]>(conversations.map((c) => [c, []]));
  for (const row of rows) hostOrder.get(row.conversation)?.push(row.message);

  const statuses = await sql.query<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM tiktok_webhook_events
      WHERE tiktok_conversation_id = ANY($1) GROUP BY status`,
    [conversations],
  );
  return {
    hostOrder,
    libraryStatuses: Object.fromEntries(statuses.rows.map((r) => [r.status, r.n])),
  };
}
