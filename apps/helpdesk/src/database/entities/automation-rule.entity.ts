import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from 'typeorm';
import { InboxEntity } from './inbox.entity';
import { UUID_PRIMARY_KEY } from './uuid-primary-key';

export const AUTOMATION_TRIGGERS = ['first_message', 'conversation_resolved'] as const;
export const AUTOMATION_KINDS = ['auto_reply', 'csat'] as const;
export type AutomationTrigger = (typeof AUTOMATION_TRIGGERS)[number];
export type AutomationKind = (typeof AUTOMATION_KINDS)[number];

/** A message the helpdesk sends by itself when something happens; `inboxId` null means every inbox. */
@Entity('automation_rules')
@Check('automation_rules_trigger_check', `trigger IN ('first_message', 'conversation_resolved')`)
@Check('automation_rules_kind_check', `kind IN ('auto_reply', 'csat')`)
export class AutomationRuleEntity {
  @PrimaryColumn({ ...UUID_PRIMARY_KEY, primaryKeyConstraintName: 'automation_rules_pkey' })
  id: string;

  @Column('uuid', { name: 'inbox_id', nullable: true })
  inboxId: string | null;

  @ManyToOne(() => InboxEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'inbox_id', foreignKeyConstraintName: 'automation_rules_inbox_id_fkey' })
  inbox?: InboxEntity;

  @Column('text')
  trigger: AutomationTrigger;

  @Column('text')
  kind: AutomationKind;

  @Column('text')
  content: string;

  @Column('boolean', { default: true })
  enabled: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
