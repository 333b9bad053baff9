import { DataSource } from 'typeorm';
import {
  helpdeskEntities,
  helpdeskMigrations,
} from '../../apps/helpdesk/src/database/helpdesk-database';
import {
  runMigrationsExclusively,
  tiktokChannelEntities,
  tiktokChannelMigrations,
} from 'tiktok-channel';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const migrations = [...helpdeskMigrations, ...tiktokChannelMigrations];

function dataSourceFor(url: string): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: [...helpdeskEntities, ...tiktokChannelEntities],
    migrations,
    logging: false,
  });
}

describe('migrations started by several processes at once', () => {
  let database: TestDatabase;
  const sources: DataSource[] = [];

  beforeEach(async () => {
    database = await createTestDatabase();
  });

  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => (s.isInitialized ? s.destroy() : undefined)));
    await database.drop();
  });

  it('migrate a fresh database once, and every process boots', async () => {
    // Each data source has its own pool, as a separate process would.
    for (let i = 0; i < 4; i += 1) sources.push(await dataSourceFor(database.url).initialize());

    const ran = await Promise.all(sources.map((s) => runMigrationsExclusively(s)));

    expect(ran.map((list) => list.length).sort((a, b) => b - a)).toEqual([
      migrations.length,
      0,
      0,
      0,
    ]);
    const rows: Array<{ name: string; n: string }> = await sources[0].query(
      `SELECT name, count(*) AS n FROM migrations GROUP BY name`,
    );
    expect(rows).toHaveLength(migrations.length);
    expect(rows.every((row) => row.n === '1')).toBe(true);
  });
});
