import type { PrimaryColumnOptions } from 'typeorm';

/**
 * The uuid primary key the migration creates: `uuid DEFAULT gen_random_uuid()`. Stating the
 * default keeps a schema built from the entities (synchronize) identical to the migrated one;
 * `@PrimaryGeneratedColumn('uuid')` would use `uuid_generate_v4()` from the uuid-ossp extension
 * unless the data source sets `uuidExtension: 'pgcrypto'`.
 */
export const UUID_PRIMARY_KEY = {
  type: 'uuid',
  generated: 'uuid',
  default: () => 'gen_random_uuid()',
} as const satisfies PrimaryColumnOptions;
