/** A stored webhook as the inbound handlers see it (a row of `tiktok_webhook_events`). */
export interface InboundEventRow {
  id: string;
  event: string;
  business_id: string;
  tiktok_conversation_id: string;
  /** Milliseconds, as text: Postgres bigint. */
  event_timestamp: string | null;
  content: Record<string, unknown>;
  attempts: number;
}

/**
 * What a handler decided: done (`processed`/`ignored`, with a note kept on the row), or not yet
 * (`deferred`: an echo waiting for its send to record its TikTok id).
 */
export type HandlerVerdict =
  { outcome: 'processed' | 'ignored'; note?: string } | { outcome: 'deferred'; seconds: number };

/** An automation event to publish once the processing transaction has committed. */
export interface Publication {
  name: string;
  payload: object;
}
