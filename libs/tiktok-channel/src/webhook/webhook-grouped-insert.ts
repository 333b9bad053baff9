import type { ParsedWebhook } from './webhook-envelope';

/**
 * Many deliveries in one statement: one array per column, so the statement's text is the same
 * whatever the group's size (PostgreSQL parses and plans one shape, not one per size).
 */
export const GROUPED_INTAKE_INSERT = `
  INSERT INTO tiktok_webhook_events
    (dedupe_key, event, business_id, tiktok_conversation_id, event_timestamp, raw_body, content,
     status, last_error, intake_note, processed_at)
  SELECT d, e, b, c, t, r, j::jsonb, s, l, n, CASE WHEN s = 'ignored' THEN now() END
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bytea[],
                $7::text[], $8::text[], $9::text[], $10::text[]) AS x(d, e, b, c, t, r, j, s, l, n)
  ON CONFLICT (dedupe_key) DO NOTHING
  RETURNING dedupe_key, id`;

export interface GroupedIntakeRows {
  /** The statement's ten column arrays. */
  parameters: unknown[][];
  /** Each dedupe key's first delivery in the group: the one stored, the others are its copies. */
  firstIndex: Map<string, number>;
}

/**
 * The column arrays for a group: one row per distinct dedupe key (its first copy), in key order.
 * Key order matters: two groups in flight that share keys then wait on each other's rows in the
 * same order, never in a cycle (a deadlock would fail both and send every row to the slow path).
 */
export function groupedIntakeRows(
  deliveries: ReadonlyArray<{ webhook: ParsedWebhook; rawBody: Buffer }>,
): GroupedIntakeRows {
  const firstIndex = new Map<string, number>();
  deliveries.forEach((delivery, index) => {
    if (!firstIndex.has(delivery.webhook.dedupeKey))
      firstIndex.set(delivery.webhook.dedupeKey, index);
  });
  const keys = [...firstIndex.keys()].sort();
  const columns: unknown[][] = Array.from({ length: 10 }, () => []);
  for (const key of keys) {
    const { webhook, rawBody } = deliveries[firstIndex.get(key)!];
    intakeRowValues(webhook, rawBody).forEach((value, column) => columns[column].push(value));
  }
  return { parameters: columns, firstIndex };
}

/**
 * One delivery's ten column values, in the order both intake statements take them (dedupe key,
 * event, business, conversation, timestamp, raw bytes, content, status, reason, note).
 */
export function intakeRowValues(webhook: ParsedWebhook, rawBody: Buffer): unknown[] {
  return [
    webhook.dedupeKey,
    webhook.event,
    webhook.businessId,
    webhook.conversationId,
    webhook.timestamp,
    rawBody,
    webhook.content === null ? null : JSON.stringify(webhook.content),
    webhook.handled ? 'pending' : 'ignored',
    webhook.handled ? null : webhook.ignoredReason,
    webhook.note,
  ];
}
