import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * When a business's next TikTok request may start. Every process reserves its slot on this row
 * with one statement, so together they stay under TikTok's per-business rate.
 */
@Entity({ name: 'tiktok_rate_limits' })
export class TiktokRateLimitEntity {
  @PrimaryColumn({
    name: 'business_id',
    type: 'text',
    primaryKeyConstraintName: 'tiktok_rate_limits_pkey',
  })
  businessId: string;

  @Column({ name: 'next_slot_at', type: 'timestamptz' })
  nextSlotAt: Date;
}
