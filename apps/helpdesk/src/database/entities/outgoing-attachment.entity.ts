import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from 'typeorm';
import { MessageEntity } from './message.entity';
import { UUID_PRIMARY_KEY } from './uuid-primary-key';

/** A file an agent attached to a reply, kept so the page can show what was sent. */
@Entity('outgoing_attachments')
@Index('outgoing_attachments_message_id_idx', ['messageId', 'position'])
export class OutgoingAttachmentEntity {
  @PrimaryColumn({ ...UUID_PRIMARY_KEY, primaryKeyConstraintName: 'outgoing_attachments_pkey' })
  id: string;

  @Column('uuid', { name: 'message_id' })
  messageId: string;

  @ManyToOne(() => MessageEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'message_id',
    foreignKeyConstraintName: 'outgoing_attachments_message_id_fkey',
  })
  message?: MessageEntity;

  @Column('int')
  position: number;

  @Column('text', { name: 'content_type' })
  contentType: string;

  @Column('text', { name: 'file_name' })
  fileName: string;

  @Column('bytea')
  bytes: Buffer;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
