import { createHash } from 'node:crypto';
import { boundedKey, MAX_INDEXED_ID, normaliseTimestamp, readIdValue } from './field-normalise';
import { jsonbSafeText, parseJsonKeepingIds, toJsonbSafe } from './json-safe';

/** Events the inbound processor acts on; every other well-signed event is stored and acknowledged. */
export const HANDLED_EVENTS = new Set([
  'im_receive_msg',
  'im_send_msg',
  'im_mark_read_msg',
  'im_receive_msg_eu',
  'im_referral_msg',
]);

/** Handled events that carry no conversation id: the handler finds the conversation itself. */
const EVENTS_WITHOUT_CONVERSATION = new Set(['im_receive_msg_eu', 'im_referral_msg']);

/** A webhook as stored: the envelope's routing facts plus the parsed `content`. */
export interface ParsedWebhook {
  event: string;
  businessId: string | null;
  conversationId: string | null;
  /** Milliseconds; the order of processing within a conversation. */
  timestamp: number | null;
  /** The parsed content, made safe for jsonb (the raw bytes keep the original). */
  content: Record<string, unknown> | null;
  dedupeKey: string;
  handled: boolean;
  /** Why a well-signed event is stored as `ignored`; null when it waits for processing. */
  ignoredReason: string | null;
  /** What intake changed to store it (timestamp replaced, text made safe), or null. */
  note: string | null;
}

function object(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** `content` is a JSON string on the wire (parsed a second time); an object is accepted too. */
function parseContent(value: unknown): { content: Record<string, unknown> | null; error?: string } {
  if (typeof value === 'string') {
    try {
      const parsed = object(parseJsonKeepingIds(value));
      return parsed
        ? { content: parsed }
        : { content: null, error: 'content is not a JSON object' };
    } catch (error) {
      return { content: null, error: `content is not JSON (${(error as Error).message})` };
    }
  }
  if (value === undefined) return { content: null, error: 'no content' };
  const parsed = object(value);
  return parsed ? { content: parsed } : { content: null, error: 'content is not an object' };
}

/**
 * Reads a webhook body leniently: TikTok adds fields over time, and real deliveries send ids as
 * numbers, timestamps in seconds, text jsonb refuses. Nothing here throws: a body that cannot be
 * read is still kept (as `unreadable`, ignored with the reason), so a signed event is never lost.
 */
export function parseWebhook(rawBody: Buffer, receivedAtMs: number = Date.now()): ParsedWebhook {
  const digest = () => createHash('sha256').update(rawBody).digest('hex');
  const notes: string[] = [];
  let envelope: Record<string, unknown> | null = null;
  let unreadable = 'the body is not a JSON object';
  try {
    envelope = object(parseJsonKeepingIds(rawBody.toString('utf8')));
  } catch (error) {
    unreadable = `the body is not JSON (${(error as Error).message})`;
  }
  if (!envelope) {
    return {
      event: 'unreadable',
      businessId: null,
      conversationId: null,
      timestamp: null,
      content: null,
      dedupeKey: `raw:${digest()}`,
      handled: false,
      // JSON.parse quotes the offending text, which may hold a NUL: text columns refuse it too.
      ignoredReason: jsonbSafeText(unreadable),
      note: null,
    };
  }

  const safe = toJsonbSafe(envelope);
  const safeEnvelope = safe.value as Record<string, unknown>;
  const event = jsonbSafeText(readIdValue(envelope.event) ?? 'unknown');
  let businessId = readIdValue(safeEnvelope.user_openid);
  const parsed = parseContent(safeEnvelope.content);
  let content = parsed.content;
  if (content) {
    const contentSafe = toJsonbSafe(content);
    content = contentSafe.value as Record<string, unknown>;
    for (const change of contentSafe.changes) safe.changes.add(change);
  }
  for (const change of safe.changes) notes.push(`text made jsonb-safe: ${change}`);

  let conversationId = readIdValue(content?.conversation_id);
  const messageId = readIdValue(content?.message_id);
  const read = object(content?.read);

  const envelopeTime = normaliseTimestamp(
    safeEnvelope.create_time,
    receivedAtMs,
    receivedAtMs,
    'create_time',
  );
  if (envelopeTime.note) notes.push(envelopeTime.note);
  // The message's own time when it has one (out of range: the receive time, as the issue asks);
  // without one, the envelope's create_time.
  const ownValue = read?.last_read_timestamp ?? content?.timestamp;
  const ownName = read?.last_read_timestamp !== undefined ? 'last_read_timestamp' : 'timestamp';
  const ownTime =
    ownValue !== undefined
      ? normaliseTimestamp(ownValue, receivedAtMs, receivedAtMs, ownName)
      : envelopeTime;
  if (ownTime !== envelopeTime && ownTime.note) notes.push(ownTime.note);
  const timestamp = ownTime.ms;

  let ignoredReason: string | null = null;
  if (!HANDLED_EVENTS.has(event)) ignoredReason = `event ${event} is not handled`;
  else if (!businessId) ignoredReason = 'no user_openid (business id)';
  else if (!content) ignoredReason = parsed.error ?? 'no content';
  else if (!conversationId && !EVENTS_WITHOUT_CONVERSATION.has(event))
    ignoredReason = 'no conversation_id';
  // Longer values cannot be TikTok's ids, and would not fit the indexes: kept, not processed.
  if (businessId && businessId.length > MAX_INDEXED_ID) {
    ignoredReason ??= `user_openid longer than ${MAX_INDEXED_ID} characters`;
    businessId = null;
  }
  if (conversationId && conversationId.length > MAX_INDEXED_ID) {
    ignoredReason ??= `conversation_id longer than ${MAX_INDEXED_ID} characters`;
    conversationId = null;
  }

  let dedupeKey: string;
  if (messageId && (event === 'im_receive_msg' || event === 'im_send_msg')) {
    dedupeKey = `${event}:${businessId}:${messageId}`;
  } else if (event === 'im_mark_read_msg' && conversationId) {
    const reader = readIdValue(object(content?.from_user)?.id) ?? '';
    dedupeKey = `${event}:${businessId}:${conversationId}:${reader}:${timestamp}`;
  } else {
    dedupeKey = `raw:${digest()}`;
  }
  return {
    event,
    businessId,
    conversationId,
    timestamp,
    content,
    dedupeKey: boundedKey(dedupeKey),
    handled: ignoredReason === null,
    ignoredReason: ignoredReason === null ? null : jsonbSafeText(ignoredReason),
    note: notes.length > 0 ? notes.join('; ') : null,
  };
}
