import type { DataSource } from 'typeorm';
import { helpdeskMigrations } from '../../apps/helpdesk/src/database/helpdesk-database';
import { openHelpdeskDatabase, type HelpdeskDatabase } from '../support/helpdesk-database';

describe('the helpdesk migration', () => {
  let database: HelpdeskDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await openHelpdeskDatabase();
    dataSource = database.dataSource;
  });

  afterAll(async () => {
    await database?.close();
  });

  it('creates exactly the schema the entities describe, so synchronize would change nothing', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();

    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('can be reverted and applied again', async () => {
    for (let i = 0; i < helpdeskMigrations.length; i++) await dataSource.undoLastMigration();
    const [{ n }] = await dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'inboxes'`,
    );
    expect(n).toBe(0);

    await dataSource.runMigrations();
    expect(await dataSource.query('SELECT id FROM inboxes')).toEqual([]);
  });
});
