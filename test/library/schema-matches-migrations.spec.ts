import { DataSource, type DataSourceOptions } from 'typeorm';
import {
  helpdeskEntities,
  helpdeskMigrations,
} from '../../apps/helpdesk/src/database/helpdesk-database';
import { tiktokChannelEntities, tiktokChannelMigrations } from '../../libs/tiktok-channel/src';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/*
 * A host registers the library's entities and migrations with its own data source. If the two
 * disagree, a host that runs `synchronize` or `migration:generate` gets queries that drop the keys
 * the library's `ON CONFLICT` clauses need, and every webhook fails. These tests hold them together
 * in both directions, with the data source options the README shows and nothing more (no
 * `uuidExtension`: a host must not need a special option for the library's schema).
 */

type Entities = NonNullable<DataSourceOptions['entities']>;
type Migrations = NonNullable<DataSourceOptions['migrations']>;

interface Setup {
  entities: Entities;
  migrations: Migrations;
}

interface OpenDatabase {
  dataSource: DataSource;
  close(): Promise<void>;
}

async function open(
  entities: Entities,
  build: { migrations: Migrations } | { synchronize: true },
): Promise<OpenDatabase> {
  const database: TestDatabase = await createTestDatabase();
  const dataSource = new DataSource({
    type: 'postgres',
    url: database.url,
    entities,
    ...build,
    logging: false,
  });
  await dataSource.initialize();
  if ('migrations' in build) await dataSource.runMigrations();
  return {
    dataSource,
    close: async () => {
      await dataSource.destroy();
      await database.drop();
    },
  };
}

/** What a schema is made of, in PostgreSQL's own words, one line per object. */
async function describeSchema(dataSource: DataSource): Promise<string[]> {
  const bookkeeping = `('migrations', 'typeorm_metadata')`;
  const columns = await dataSource.query<
    Array<{ table: string; column: string; type: string; notNull: boolean; default: string | null }>
  >(
    `SELECT c.relname AS "table", a.attname AS "column", format_type(a.atttypid, a.atttypmod) AS "type",
            a.attnotnull AS "notNull", pg_get_expr(d.adbin, d.adrelid) AS "default"
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid AND c.relkind = 'r'
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relnamespace = current_schema()::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
        AND c.relname NOT IN ${bookkeeping}`,
  );
  const constraints = await dataSource.query<Array<{ table: string; name: string; def: string }>>(
    `SELECT conrelid::regclass::text AS "table", conname AS "name", pg_get_constraintdef(oid) AS "def"
       FROM pg_constraint
      WHERE connamespace = current_schema()::regnamespace
        AND conrelid::regclass::text NOT IN ${bookkeeping}`,
  );
  const indexes = await dataSource.query<Array<{ indexdef: string }>>(
    `SELECT indexdef FROM pg_indexes
      WHERE schemaname = current_schema() AND tablename NOT IN ${bookkeeping}`,
  );
  return [
    ...columns.map(
      (c) =>
        `column ${c.table}.${c.column} ${c.type}${c.notNull ? ' NOT NULL' : ''}` +
        (c.default === null ? '' : ` DEFAULT ${c.default}`),
    ),
    ...constraints.map((c) => `constraint ${c.table}.${c.name} ${c.def}`),
    ...indexes.map((i) => `index ${i.indexdef}`),
  ].sort();
}

/** The one thing TypeORM's @Index cannot say: see the comment on TiktokWebhookEventEntity. */
function withoutSortOrderOfPendingIndex(schema: string[]): string[] {
  return schema.map((line) =>
    line.startsWith('index CREATE INDEX tiktok_webhook_events_pending_idx ')
      ? line.replace('(event_timestamp NULLS FIRST, id)', '(event_timestamp, id)')
      : line,
  );
}

/** A key an `ON CONFLICT` clause relies on, or a partial index a worker query relies on. */
interface ExpectedIndex {
  table: string;
  name: string;
  definition: string;
  /** The `ON CONFLICT` target that must find this key as its arbiter. */
  conflictTarget?: string;
}

const libraryIndexes: ExpectedIndex[] = [
  {
    table: 'tiktok_accounts',
    name: 'tiktok_accounts_business_id_key',
    definition: 'UNIQUE INDEX ... USING btree (business_id)',
    conflictTarget: '(business_id)',
  },
  {
    table: 'tiktok_accounts',
    name: 'tiktok_accounts_host_inbox_id_key',
    definition: 'UNIQUE INDEX ... USING btree (host_inbox_id)',
    conflictTarget: '(host_inbox_id)',
  },
  {
    table: 'tiktok_webhook_events',
    name: 'tiktok_webhook_events_dedupe_key_key',
    definition: 'UNIQUE INDEX ... USING btree (dedupe_key)',
    conflictTarget: '(dedupe_key)',
  },
  {
    table: 'tiktok_conversations',
    name: 'tiktok_conversations_account_id_tiktok_conversation_id_key',
    definition: 'UNIQUE INDEX ... USING btree (account_id, tiktok_conversation_id)',
    conflictTarget: '(account_id, tiktok_conversation_id)',
  },
  {
    table: 'tiktok_conversations',
    name: 'tiktok_conversations_host_conversation_id_key',
    definition: 'UNIQUE INDEX ... USING btree (host_conversation_id)',
    conflictTarget: '(host_conversation_id)',
  },
  {
    table: 'tiktok_outbound_messages',
    name: 'tiktok_outbound_messages_tiktok_message_id_key',
    definition: 'UNIQUE INDEX ... USING btree (tiktok_message_id)',
    conflictTarget: '(tiktok_message_id)',
  },
  {
    table: 'tiktok_outbound_messages',
    name: 'tiktok_outbound_messages_host_message_id_part_index_key',
    definition: 'UNIQUE INDEX ... USING btree (host_message_id, part_index)',
    conflictTarget: '(host_message_id, part_index)',
  },
  {
    table: 'tiktok_accounts',
    name: 'tiktok_accounts_refresh_idx',
    definition: `INDEX ... USING btree (access_token_expires_at) WHERE (status = 'active'::text)`,
  },
  {
    table: 'tiktok_webhook_events',
    name: 'tiktok_webhook_events_pending_idx',
    // The migration has (event_timestamp NULLS FIRST, id): see withoutSortOrderOfPendingIndex.
    definition: `INDEX ... USING btree (event_timestamp, id) WHERE (status = 'pending'::text)`,
  },
  {
    table: 'tiktok_webhook_events',
    name: 'tiktok_webhook_events_conversation_idx',
    definition: `INDEX ... USING btree (business_id, tiktok_conversation_id, event_timestamp, id) WHERE (status = 'pending'::text)`,
  },
];

const helpdeskIndexes: ExpectedIndex[] = [
  {
    table: 'inboxes',
    name: 'inboxes_tiktok_account_id_key',
    definition:
      'UNIQUE INDEX ... USING btree (tiktok_account_id) WHERE (tiktok_account_id IS NOT NULL)',
    conflictTarget: '(tiktok_account_id) WHERE tiktok_account_id IS NOT NULL',
  },
  {
    table: 'contacts',
    name: 'contacts_inbox_id_tiktok_user_id_key',
    definition: 'UNIQUE INDEX ... USING btree (inbox_id, tiktok_user_id)',
    conflictTarget: '(inbox_id, tiktok_user_id)',
  },
  {
    table: 'conversations',
    name: 'conversations_inbox_id_tiktok_conversation_id_key',
    definition: 'UNIQUE INDEX ... USING btree (inbox_id, tiktok_conversation_id)',
    conflictTarget: '(inbox_id, tiktok_conversation_id)',
  },
  {
    table: 'messages',
    name: 'messages_external_id_key',
    definition: 'UNIQUE INDEX ... USING btree (external_id) WHERE (external_id IS NOT NULL)',
    conflictTarget: '(external_id) WHERE external_id IS NOT NULL',
  },
  {
    table: 'inbound_attachments',
    name: 'inbound_attachments_tiktok_message_id_position_key',
    definition: 'UNIQUE INDEX ... USING btree (tiktok_message_id, "position")',
    conflictTarget: '(tiktok_message_id, position)',
  },
  {
    table: 'message_reactions',
    name: 'message_reactions_target_key',
    definition:
      'UNIQUE INDEX ... USING btree (conversation_id, tiktok_message_id, reacted_by, emoji)',
    conflictTarget: '(conversation_id, tiktok_message_id, reacted_by, emoji)',
  },
  {
    table: 'conversation_notes',
    name: 'conversation_notes_conversation_id_key_key',
    definition: 'UNIQUE INDEX ... USING btree (conversation_id, key)',
    conflictTarget: '(conversation_id, key)',
  },
];

const cases: Array<[string, Setup, ExpectedIndex[]]> = [
  [
    'the library alone',
    { entities: tiktokChannelEntities, migrations: tiktokChannelMigrations },
    libraryIndexes,
  ],
  [
    'the demo helpdesk with the library',
    // As apps/helpdesk/src/helpdesk.module.ts registers them.
    {
      entities: [...helpdeskEntities, ...tiktokChannelEntities],
      migrations: [...helpdeskMigrations, ...tiktokChannelMigrations],
    },
    [...helpdeskIndexes, ...libraryIndexes],
  ],
];

describe.each(cases)('The entities and the migrations of %s', (_name, setup, expectedIndexes) => {
  let migrated: OpenDatabase;
  let synchronized: OpenDatabase;

  beforeAll(async () => {
    migrated = await open(setup.entities, { migrations: setup.migrations });
    synchronized = await open(setup.entities, { synchronize: true });
  });

  afterAll(async () => {
    await migrated?.close();
    await synchronized?.close();
  });

  it('agree: on a migrated database, TypeORM finds nothing to change', async () => {
    const { upQueries } = await migrated.dataSource.driver.createSchemaBuilder().log();

    expect(upQueries.map((query) => query.query)).toEqual([]);
  });

  it('build the same schema: the entities alone (synchronize) make what the migrations make', async () => {
    const fromMigrations = withoutSortOrderOfPendingIndex(
      await describeSchema(migrated.dataSource),
    );
    const fromEntities = await describeSchema(synchronized.dataSource);

    expect(fromEntities).toEqual(fromMigrations);
    const { upQueries } = await synchronized.dataSource.driver.createSchemaBuilder().log();
    expect(upQueries.map((query) => query.query)).toEqual([]);
  });

  it('give a schema built from the entities alone every key and partial index the SQL relies on', async () => {
    const rows = await synchronized.dataSource.query<
      Array<{ indexname: string; indexdef: string }>
    >(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()`);
    const found = new Map(rows.map((row) => [row.indexname, row.indexdef]));

    for (const index of expectedIndexes) {
      const [kind, columns] = index.definition.split(' ... ');
      expect({ name: index.name, definition: found.get(index.name) }).toEqual({
        name: index.name,
        definition: `CREATE ${kind} ${index.name} ON public.${index.table} ${columns}`,
      });
    }
  });

  it('let PostgreSQL find an arbiter for every ON CONFLICT target in a schema built from the entities alone', async () => {
    for (const index of expectedIndexes.filter((i) => i.conflictTarget)) {
      const column = /\(([a-z_]+)/.exec(index.conflictTarget as string)?.[1] as string;
      // EXPLAIN plans without running, and planning is where PostgreSQL infers the arbiter index:
      // "there is no unique or exclusion constraint matching the ON CONFLICT specification".
      await expect(
        synchronized.dataSource.query(
          `EXPLAIN INSERT INTO ${index.table} (${column}) VALUES (DEFAULT)
             ON CONFLICT ${index.conflictTarget} DO NOTHING`,
        ),
      ).resolves.toBeDefined();
    }
  });
});
