import { EntityManager, type DataSource, type QueryResult, type QueryRunner } from 'typeorm';

/**
 * Runs one statement and returns its rows. TypeORM's plain `query()` answers UPDATE and DELETE
 * with `[rows, count]` but INSERT and SELECT with `rows`; the structured result has one shape for
 * every command, so callers do not have to remember which is which.
 */
export async function queryRows<T>(
  db: DataSource | EntityManager,
  sql: string,
  parameters: unknown[] = [],
): Promise<T[]> {
  if (db instanceof EntityManager) {
    // Inside `dataSource.transaction(...)` the manager carries the transaction's runner.
    if (!db.queryRunner)
      throw new Error('queryRows: this EntityManager is not inside a transaction');
    return structured<T>(db.queryRunner, sql, parameters);
  }
  const runner = db.createQueryRunner();
  try {
    return await structured<T>(runner, sql, parameters);
  } finally {
    await runner.release();
  }
}

async function structured<T>(
  runner: QueryRunner,
  sql: string,
  parameters: unknown[],
): Promise<T[]> {
  const result: QueryResult<T> = await runner.query(sql, parameters, true);
  return result.records;
}
