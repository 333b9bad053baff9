import { Check, Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

export type WebhookEventStatus = 'pending' | 'processed' | 'ignored' | 'failed';

/**
 * Every signed webhook, stored before TikTok gets its 200. Processing happens afterwards, so a
 * crash or a host outage never loses a message: the row stays `pending` until it is handled.
 */
@Entity({ name: 'tiktok_webhook_events' })
// Same event delivered again → same key → stored once (ON CONFLICT (dedupe_key) DO NOTHING).
@Unique('tiktok_webhook_events_dedupe_key_key', ['dedupeKey'])
@Check(
  'tiktok_webhook_events_status_check',
  `status IN ('pending', 'processed', 'ignored', 'failed')`,
)
/*
 * Workers claim pending events in TikTok order. The migration builds this index on
 * (event_timestamp NULLS FIRST, id) to match the claim's ORDER BY; TypeORM's @Index cannot state a
 * sort order, and its schema builder does not compare one, so this declaration matches the
 * migrated index exactly as far as TypeORM is concerned. A schema built from the entities alone
 * (synchronize) gets the default NULLS LAST order: the claims stay correct, but sort the pending
 * rows instead of walking the index. The schema test names this as the one known difference.
 */
@Index('tiktok_webhook_events_pending_idx', ['eventTimestamp', 'id'], {
  where: `status = 'pending'`,
})
@Index(
  'tiktok_webhook_events_conversation_idx',
  ['businessId', 'tiktokConversationId', 'eventTimestamp', 'id'],
  { where: `status = 'pending'` },
)
export class TiktokWebhookEventEntity {
  @PrimaryGeneratedColumn('increment', {
    type: 'bigint',
    primaryKeyConstraintName: 'tiktok_webhook_events_pkey',
  })
  id: string;

  @Column({ name: 'dedupe_key', type: 'text' })
  dedupeKey: string;

  @Column({ type: 'text' })
  event: string;

  @Column({ name: 'business_id', type: 'text', nullable: true })
  businessId: string | null;

  @Column({ name: 'tiktok_conversation_id', type: 'text', nullable: true })
  tiktokConversationId: string | null;

  /** TikTok's timestamp of the message (ms), the processing order within a conversation. */
  @Column({ name: 'event_timestamp', type: 'bigint', nullable: true })
  eventTimestamp: string | null;

  /** The body exactly as TikTok sent it (the signature covers these bytes). */
  @Column({ name: 'raw_body', type: 'bytea' })
  rawBody: Buffer;

  /** What intake changed to store the event (a timestamp out of range, unsafe text), if anything. */
  @Column({ name: 'intake_note', type: 'text', nullable: true })
  intakeNote: string | null;

  @Column({ type: 'jsonb', nullable: true })
  content: Record<string, unknown> | null;

  @Column({ type: 'text', default: 'pending' })
  status: WebhookEventStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt: Date;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt: Date | null;
}
