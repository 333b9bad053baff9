import { DataSource } from 'typeorm';
import {
  helpdeskEntities,
  helpdeskMigrations,
} from '../../apps/helpdesk/src/database/helpdesk-database';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

describe('the helpdesk migration', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = new DataSource({
      type: 'postgres',
      url: database.url,
      entities: helpdeskEntities,
      migrations: helpdeskMigrations,
    });
    await dataSource.initialize();
    await dataSource.runMigrations();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('creates exactly the schema the entities describe, so synchronize would change nothing', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();

    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('can be reverted and applied again', async () => {
    await dataSource.undoLastMigration();
    const [{ n }] = await dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'inboxes'`,
    );
    expect(n).toBe(0);

    await dataSource.runMigrations();
    expect(await dataSource.query('SELECT id FROM inboxes')).toEqual([]);
  });
});
