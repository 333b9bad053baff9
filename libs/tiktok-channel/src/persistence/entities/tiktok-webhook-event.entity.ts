import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type WebhookEventStatus = 'pending' | 'processed' | 'ignored' | 'failed';

/**
 * Every signed webhook, stored before TikTok gets its 200. Processing happens afterwards, so a
 * crash or a host outage never loses a message: the row stays `pending` until it is handled.
 */
@Entity({ name: 'tiktok_webhook_events' })
export class TiktokWebhookEventEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  /** Same event delivered again → same key → stored once. */
  @Column({ name: 'dedupe_key', type: 'text', unique: true })
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

  @Column({ name: 'raw_body', type: 'text' })
  rawBody: string;

  @Column({ type: 'jsonb', nullable: true })
  content: Record<string, unknown> | null;

  @Column({ type: 'text', default: 'pending' })
  status: WebhookEventStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt: Date;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt: Date | null;
}
