import { Column, CreateDateColumn, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { TiktokOutboundMessageEntity } from './tiktok-outbound-message.entity';

/**
 * A prepared image (JPG or PNG, at most 3 MB) of an image part, kept until TikTok has it: a
 * request that crashed before uploading it leaves the sweep everything it needs.
 */
@Entity({ name: 'tiktok_outbound_media' })
export class TiktokOutboundMediaEntity {
  @ForeignKey(() => TiktokOutboundMessageEntity, {
    name: 'tiktok_outbound_media_part_id_fkey',
    onDelete: 'CASCADE',
  })
  @PrimaryColumn({
    name: 'part_id',
    type: 'uuid',
    primaryKeyConstraintName: 'tiktok_outbound_media_pkey',
  })
  partId: string;

  @Column({ name: 'content_type', type: 'text' })
  contentType: string;

  @Column({ name: 'file_name', type: 'text' })
  fileName: string;

  @Column({ type: 'bytea' })
  bytes: Buffer;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
