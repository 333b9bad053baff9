import { DataSource } from 'typeorm';
import {
  helpdeskEntities,
  helpdeskMigrations,
} from '../../apps/helpdesk/src/database/helpdesk-database';
import { createTestDatabase } from './test-database';

export interface HelpdeskDatabase {
  dataSource: DataSource;
  close(): Promise<void>;
}

/** A fresh database with the helpdesk's own tables migrated (no library tables). */
export async function openHelpdeskDatabase(): Promise<HelpdeskDatabase> {
  const database = await createTestDatabase();
  const dataSource = new DataSource({
    type: 'postgres',
    url: database.url,
    entities: helpdeskEntities,
    migrations: helpdeskMigrations,
    logging: false,
  });
  await dataSource.initialize();
  await dataSource.runMigrations();
  return {
    dataSource,
    close: async () => {
      await dataSource.destroy();
      await database.drop();
    },
  };
}
