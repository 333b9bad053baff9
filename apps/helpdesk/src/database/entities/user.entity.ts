import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { UUID_PRIMARY_KEY } from './uuid-primary-key';

export const USER_ROLES = ['admin', 'agent'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** A person who signs in to the helpdesk: the one admin, or an agent the admin created. */
@Entity('users')
@Check('users_role_check', `role IN ('admin', 'agent')`)
export class UserEntity {
  @PrimaryColumn({ ...UUID_PRIMARY_KEY, primaryKeyConstraintName: 'users_pkey' })
  id: string;

  /** Stored lower case, so "Ana@Shop.test" and "ana@shop.test" are one person. */
  @Index('users_email_key', { unique: true })
  @Column('text')
  email: string;

  /** What customers' replies are signed with on the page. */
  @Column('text')
  name: string;

  @Column('text')
  role: UserRole;

  /** `scrypt$<N>$<salt>$<hash>`, never the password. */
  @Column('text', { name: 'password_hash' })
  passwordHash: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
