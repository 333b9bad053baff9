/** A stored webhook as the inbound handlers see it (a row of `tiktok_webhook_events`). */
export interface InboundEventRow {
  id: string;
  event: string;
  business_id: string;
  /** Null for events that name no conversation (`im_receive_msg_eu`, some referrals). */
  tiktok_conversation_id: string | null;
  /** Milliseconds, as text: Postgres bigint. */
  event_timestamp: string | null;
  content: Record<string, unknown>;
  attempts: number;
  received_at: Date;
}

/**
 * What a handler decided: done (`processed`/`ignored`, with a note kept on the row), or not yet
 * (`deferred`: an echo waiting for its send to record its TikTok id).
 */
export type HandlerVerdict =
  | { outcome: 'processed' | 'ignored'; note?: string }
  | { outcome: 'deferred'; seconds: number; note?: string };

/** An automation event to publish once the processing transaction has committed. */
export interface Publication {
  name: string;
  payload: object;
}

/** The connected account an event belongs to. */
export interface InboundAccount {
  id: string;
  businessId: string;
  inboxId: string;
}

/** The event's TikTok time, normalised to ms at intake (receive time when TikTok's was unusable). */
export function eventTime(event: InboundEventRow): Date {
  const ms = Number(event.event_timestamp);
  return new Date(Number.isFinite(ms) && ms > 0 ? ms : Date.now());
}
