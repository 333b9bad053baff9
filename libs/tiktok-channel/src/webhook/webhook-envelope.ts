import { createHash } from 'node:crypto';

/** Events the inbound processor acts on; every other well-signed event is stored and acknowledged. */
export const HANDLED_EVENTS = new Set(['im_receive_msg', 'im_send_msg', 'im_mark_read_msg']);

/** A webhook as stored: the envelope's routing facts plus the parsed `content`. */
export interface ParsedWebhook {
  event: string;
  businessId: string | null;
  conversationId: string | null;
  /** Milliseconds; the order of processing within a conversation. */
  timestamp: number | null;
  content: Record<string, unknown> | null;
  dedupeKey: string;
  handled: boolean;
}

function text(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return null;
}

function object(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** `content` is a JSON string on the wire (parsed a second time); an object is accepted too. */
function parseContent(value: unknown): Record<string, unknown> | null {
  if (typeof value === 'string') {
    try {
      return object(JSON.parse(value));
    } catch {
      return null;
    }
  }
  return object(value);
}

/**
 * Reads a webhook body leniently: TikTok adds fields over time, so nothing is bound to a strict
 * shape. A body that cannot be read at all is still kept (as `unreadable`) so nothing is lost.
 */
export function parseWebhook(rawBody: Buffer): ParsedWebhook {
  // Only events without a natural key need the body's hash; message events skip the work.
  const digest = () => createHash('sha256').update(rawBody).digest('hex');
  let envelope: Record<string, unknown> | null = null;
  try {
    envelope = object(JSON.parse(rawBody.toString('utf8')));
  } catch {
    envelope = null;
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
    };
  }
  const event = text(envelope.event) ?? 'unknown';
  const businessId = text(envelope.user_openid);
  const content = parseContent(envelope.content);
  const conversationId = text(content?.conversation_id);
  const messageId = text(content?.message_id);
  const read = object(content?.read);
  const timestamp =
    Number(content?.timestamp ?? read?.last_read_timestamp ?? NaN) ||
    (Number(envelope.create_time) ? Number(envelope.create_time) * 1000 : null);

  let dedupeKey: string;
  if (messageId && (event === 'im_receive_msg' || event === 'im_send_msg')) {
    dedupeKey = `${event}:${businessId}:${messageId}`;
  } else if (event === 'im_mark_read_msg' && conversationId) {
    dedupeKey = `${event}:${businessId}:${conversationId}:${read?.last_read_timestamp ?? digest()}`;
  } else {
    dedupeKey = `raw:${digest()}`;
  }
  const handled =
    HANDLED_EVENTS.has(event) && content !== null && conversationId !== null && businessId !== null;
  return { event, businessId, conversationId, timestamp, content, dedupeKey, handled };
}
