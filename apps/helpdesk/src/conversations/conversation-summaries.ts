import type { DataSource } from 'typeorm';
import { queryRows } from '../database/sql';
import { EMPTY_SUMMARY, type ConversationSummary } from './conversation.view';

const PREVIEW_LENGTH = 80;

interface SummaryRow {
  id: string;
  content: string | null;
  direction: 'incoming' | 'outgoing' | null;
  attachment_kind: string | null;
  unread: number;
  rating: number | null;
  rated_at: Date | null;
}

/** Preview, unread count and latest rating of each conversation, in one query. */
export async function conversationSummaries(
  dataSource: DataSource,
  conversationIds: string[],
): Promise<Map<string, ConversationSummary>> {
  const summaries = new Map<string, ConversationSummary>();
  if (conversationIds.length === 0) return summaries;
  const rows = await queryRows<SummaryRow>(
    dataSource,
    `SELECT c.id, last.content, last.direction, last.attachments -> 0 ->> 'kind' AS attachment_kind,
            (SELECT count(*)::int FROM messages m
              WHERE m.conversation_id = c.id AND m.direction = 'incoming'
                AND m.created_at > COALESCE(c.last_read_at, '-infinity')) AS unread,
            rating.rating, rating.rated_at
       FROM conversations c
       LEFT JOIN LATERAL (
         SELECT content, direction, attachments FROM messages m WHERE m.conversation_id = c.id
          ORDER BY LEAST(m.created_at, m.sent_at) DESC, m.created_at DESC, m.id DESC LIMIT 1
       ) last ON true
       LEFT JOIN LATERAL (
         SELECT rating, rated_at FROM csat_ratings r WHERE r.conversation_id = c.id
          ORDER BY rated_at DESC LIMIT 1
       ) rating ON true
      WHERE c.id = ANY($1::uuid[])`,
    [conversationIds],
  );
  for (const row of rows) {
    summaries.set(row.id, {
      ...EMPTY_SUMMARY,
      preview: previewOf(row),
      previewDirection: row.direction,
      unreadCount: row.unread,
      csat:
        row.rating !== null && row.rated_at
          ? { rating: row.rating, ratedAt: row.rated_at.toISOString() }
          : null,
    });
  }
  return summaries;
}

function previewOf(row: SummaryRow): string | null {
  const text = row.content?.replace(/\s+/g, ' ').trim();
  if (text) return text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH - 1)}…` : text;
  if (row.attachment_kind) return `[${row.attachment_kind}]`;
  return row.direction ? '' : null;
}
