import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from 'typeorm';
import { InboxEntity } from './inbox.entity';
import { UUID_PRIMARY_KEY } from './uuid-primary-key';

/** A TikTok user who wrote to an inbox. */
@Entity('contacts')
@Index('contacts_inbox_id_tiktok_user_id_key', ['inboxId', 'tiktokUserId'], { unique: true })
export class ContactEntity {
  @PrimaryColumn({ ...UUID_PRIMARY_KEY, primaryKeyConstraintName: 'contacts_pkey' })
  id: string;

  @Column('uuid', { name: 'inbox_id' })
  inboxId: string;

  @ManyToOne(() => InboxEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'inbox_id', foreignKeyConstraintName: 'contacts_inbox_id_fkey' })
  inbox?: InboxEntity;

  @Column('text', { name: 'tiktok_user_id' })
  tiktokUserId: string;

  @Column('text', { nullable: true })
  name: string | null;

  @Column('text', { nullable: true })
  username: string | null;

  @Column('text', { name: 'avatar_url', nullable: true })
  avatarUrl: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
