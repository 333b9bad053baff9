import type { PrimaryColumnOptions } from 'typeorm';

/**
 * The uuid primary key the migrations create: `uuid DEFAULT gen_random_uuid()`.
 *
 * Not `@PrimaryGeneratedColumn('uuid')`: without the `uuidExtension: 'pgcrypto'` data source option
 * TypeORM would build that column with `uuid_generate_v4()` and need the uuid-ossp extension, so a
 * host's `synchronize` would make a different (and possibly failing) schema from the migration.
 * Naming the default here makes TypeORM use `gen_random_uuid()` (core PostgreSQL since 13, which
 * the migration needs too) whatever the host configured. `generated: 'uuid'` keeps TypeORM's
 * comparison quiet: it reads a uuid column defaulting to `gen_random_uuid()` as a generated one.
 */
export const UUID_PRIMARY_KEY = {
  type: 'uuid',
  generated: 'uuid',
  default: () => 'gen_random_uuid()',
} as const satisfies PrimaryColumnOptions;
