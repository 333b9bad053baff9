import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryRows } from '../persistence/sql';
import type { ParsedWebhook } from './webhook-envelope';

export interface StoredWebhook {
  id: string | null;
  /** False when the same event had been stored before (TikTok redelivers). */
  isNew: boolean;
}

/** The durable inbox of webhooks: one row per distinct event, written before TikTok gets its 200. */
@Injectable()
export class WebhookEventStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async save(webhook: ParsedWebhook, rawBody: Buffer): Promise<StoredWebhook> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `INSERT INTO tiktok_webhook_events
         (dedupe_key, event, business_id, tiktok_conversation_id, event_timestamp, raw_body, content, status, processed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $8 = 'ignored' THEN now() END)
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING id`,
      [
        webhook.dedupeKey,
        webhook.event,
        webhook.businessId,
        webhook.conversationId,
        webhook.timestamp,
        rawBody.toString('utf8'),
        webhook.content === null ? null : JSON.stringify(webhook.content),
        webhook.handled ? 'pending' : 'ignored',
      ],
    );
    return { id: rows[0]?.id ?? null, isNew: rows.length > 0 };
  }
}
