import type { DataSource } from 'typeorm';
import type { EchoMessage, InboundMessage } from 'tiktok-channel';
import { parseCsatRating } from '../csat/csat-rating';
import { queryRows } from '../database/sql';

export interface AppendedMessage {
  messageId: string;
  created: boolean;
}

interface ResultRow {
  ord: string;
  id: string | null;
  created: boolean;
}

/**
 * Stores messages (one or many) in ONE statement: the insert, the conversation's move (last
 * message time, reopening) and a satisfaction-survey answer. It was five round trips per message
 * in a transaction; processing spent more time waiting on them than on anything else.
 *
 * Rules, per conversation, as if the messages were stored one after the other in the given order:
 * - only a new message (not a redelivery) moves the conversation; GREATEST keeps the latest time;
 * - while a survey awaits its answer, the first new customer message sent after it was requested
 *   is the answer: the wait ends, and a rating in it is recorded (keyed by the message);
 * - every new customer message other than a rating answer reopens the conversation;
 * - an echo (typed in TikTok itself) arrives as sent, written by `tiktok`.
 *
 * `created_at` is the transaction's time plus one microsecond per position, so messages of one
 * call keep their order on the page (messages of one conversation are never stored by two calls
 * at once: the library holds the conversation's lock).
 */
export async function appendMessages(
  dataSource: DataSource,
  messages: ReadonlyArray<InboundMessage | EchoMessage>,
): Promise<AppendedMessage[]> {
  if (messages.length === 0) return [];
  // A TikTok id twice in one call is one message: the later copies answer the first one's row.
  const firstAt = new Map<string, number>();
  const unique = messages.filter((m, index) => {
    if (firstAt.has(m.tiktokMessageId)) return false;
    firstAt.set(m.tiktokMessageId, index);
    return true;
  });
  const rows = await queryRows<ResultRow>(dataSource, APPEND_SQL, columns(unique));
  const byId = new Map<string, AppendedMessage>();
  const missing: string[] = [];
  for (const row of rows) {
    const tiktokMessageId = unique[Number(row.ord) - 1].tiktokMessageId;
    if (row.id === null) missing.push(tiktokMessageId);
    else byId.set(tiktokMessageId, { messageId: row.id, created: row.created });
  }
  if (missing.length > 0) {
    // Stored by another call that committed while this statement ran: invisible to its snapshot.
    const found = await queryRows<{ id: string; external_id: string }>(
      dataSource,
      `SELECT id, external_id FROM messages WHERE external_id = ANY($1::text[])`,
      [missing],
    );
    for (const row of found) byId.set(row.external_id, { messageId: row.id, created: false });
  }
  return messages.map((m, index) => {
    const stored = byId.get(m.tiktokMessageId);
    if (!stored) throw new Error(`Message ${m.tiktokMessageId} was neither stored nor found`);
    return firstAt.get(m.tiktokMessageId) === index ? stored : { ...stored, created: false };
  });
}

function columns(messages: ReadonlyArray<InboundMessage | EchoMessage>): unknown[] {
  const incoming = (m: InboundMessage | EchoMessage) => (m.direction === 'incoming' ? m : null);
  return [
    messages.map((m) => m.conversationId),
    messages.map((m) => m.direction),
    messages.map((m) => m.content),
    messages.map((m) => JSON.stringify(m.attachments)),
    // An echo is a message the business already sent from the TikTok app: it arrives as sent.
    messages.map((m) => (m.direction === 'incoming' ? 'received' : 'sent')),
    messages.map((m) => m.tiktokMessageId),
    messages.map((m) => m.sentAt),
    messages.map((m) => m.tiktokType ?? null),
    messages.map((m) => m.replyTo?.tiktokMessageId ?? null),
    // An echo that does not say where it was typed was typed in the TikTok app (the port's rule).
    messages.map((m) => (m.direction === 'outgoing' ? (m.sentFrom ?? 'tiktok_app') : null)),
    messages.map((m) => incoming(m)?.isFollower ?? null),
    messages.map((m) => incoming(m)?.autoMessageType ?? null),
    messages.map((m) => {
      const raw = incoming(m)?.raw;
      return raw ? JSON.stringify(raw) : null;
    }),
    // Written in TikTok itself, not in the helpdesk: the page marks it so.
    messages.map((m) => (m.direction === 'outgoing' ? 'tiktok' : null)),
    messages.map((m) => (m.direction === 'incoming' ? (parseCsatRating(m.content) ?? null) : null)),
  ];
}

const APPEND_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                       $7::timestamptz[], $8::text[], $9::text[], $10::text[], $11::boolean[],
                       $12::text[], $13::text[], $14::text[], $15::int[])
    WITH ORDINALITY AS i(conversation_id, direction, content, attachments, status, external_id,
                         sent_at, tiktok_type, reply_to, sent_from, is_follower, auto_message_type,
                         raw, author_kind, rating, ord)
),
inserted AS (
  INSERT INTO messages (conversation_id, direction, content, attachments, status, external_id,
    sent_at, tiktok_type, reply_to_external_id, sent_from, is_follower, auto_message_type, raw,
    author_kind, created_at)
  SELECT conversation_id, direction, content, attachments::jsonb, status, external_id, sent_at,
         tiktok_type, reply_to, sent_from, is_follower, auto_message_type, raw::jsonb, author_kind,
         now() + ord * interval '1 microsecond'
    FROM input ORDER BY ord
  ON CONFLICT (external_id) WHERE external_id IS NOT NULL DO NOTHING
  RETURNING id, external_id
),
fresh AS (
  SELECT i.*, ins.id FROM input i JOIN inserted ins ON ins.external_id = i.external_id
),
answers AS (
  SELECT DISTINCT ON (f.conversation_id) f.conversation_id, f.id AS message_id, f.rating,
         f.sent_at, c.inbox_id
    FROM fresh f JOIN conversations c ON c.id = f.conversation_id
   WHERE f.direction = 'incoming' AND c.csat_requested_at IS NOT NULL
     AND c.csat_requested_at <= f.sent_at
   ORDER BY f.conversation_id, f.ord
),
rated AS (
  INSERT INTO csat_ratings (inbox_id, conversation_id, message_id, rating, rated_at)
  SELECT inbox_id, conversation_id, message_id, rating, sent_at FROM answers
   WHERE rating IS NOT NULL
  ON CONFLICT (message_id) DO NOTHING
),
moves AS (
  SELECT f.conversation_id, max(f.sent_at) AS last_sent,
         bool_or(a.message_id IS NOT NULL) AS answered,
         bool_or(f.direction = 'incoming'
                 AND NOT (f.id = a.message_id AND a.rating IS NOT NULL)) AS reopens
    FROM fresh f LEFT JOIN answers a ON a.conversation_id = f.conversation_id
   GROUP BY f.conversation_id
),
moved AS (
  UPDATE conversations c
     SET last_message_at = GREATEST(c.last_message_at, m.last_sent),
         csat_requested_at = CASE WHEN m.answered THEN NULL ELSE c.csat_requested_at END,
         status = CASE WHEN m.reopens THEN 'open' ELSE c.status END
    FROM moves m
   WHERE c.id = m.conversation_id
)
SELECT i.ord, COALESCE(ins.id, old.id) AS id, ins.id IS NOT NULL AS created
  FROM input i
  LEFT JOIN inserted ins ON ins.external_id = i.external_id
  LEFT JOIN messages old ON old.external_id = i.external_id AND ins.id IS NULL
 ORDER BY i.ord`;
