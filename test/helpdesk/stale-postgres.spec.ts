import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../apps/helpdesk/src/database/free-port';
import {
  PostgresInUseError,
  readPostmasterLock,
  stopStalePostgres,
} from '../../apps/helpdesk/src/database/stale-postgres';
import { startPostgresProcess, type PostgresProcess } from '../support/postgres-process';

const root = join(__dirname, '..', '..', '.data');

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
    return (await client.query('SELECT 1 AS one')).rows[0].one === 1;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('A PostgreSQL lock file found before the demo starts its own', () => {
  const dirs: string[] = [];
  let server: PostgresProcess | undefined;
  const newDir = () => {
    const dir = join(root, `stale-${randomBytes(4).toString('hex')}`);
    dirs.push(dir);
    return dir;
  };

  afterAll(async () => {
    await server?.stop();
    for (const dir of dirs) {
      if (existsSync(dir)) await stopStalePostgres(dir).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is removed when the process it names is gone', async () => {
    const dir = newDir();
    mkdirSync(dir, { recursive: true });
    // A pid far above any this machine hands out.
    writeFileSync(join(dir, 'postmaster.pid'), `99999999\n${dir}\n1\n5432\n`);
    expect(await stopStalePostgres(dir)).toEqual({ found: 'stale-lock', pid: 99999999 });
    expect(existsSync(join(dir, 'postmaster.pid'))).toBe(false);
  });

  it('is left alone, with a clear error, while the process that started the server runs', async () => {
    const dir = newDir();
    server = await startPostgresProcess(dir, await freePort());
    await expect(stopStalePostgres(dir)).rejects.toBeInstanceOf(PostgresInUseError);
    expect(await answers(server.url)).toBe(true);
    expect(readPostmasterLock(dir)?.pid).toBe(server.pid);
  });

  it('is stopped, keeping its data, once the process that started the server was killed', async () => {
    const { url, pid } = server!;
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.query(`CREATE TABLE kept (note text); INSERT INTO kept VALUES ('committed')`);
    await client.end();
    await server!.killOwner();
    expect(await answers(url)).toBe(true); // orphaned, still running

    const dir = dirs[dirs.length - 1];
    expect(await stopStalePostgres(dir)).toMatchObject({ found: 'running', pid });
    expect(await answers(url)).toBe(false);
    expect(existsSync(join(dir, 'postmaster.pid'))).toBe(false);

    server = await startPostgresProcess(dir, Number(new URL(url).port));
    const again = new Client({ connectionString: server.url });
    await again.connect();
    expect((await again.query(`SELECT note FROM kept`)).rows).toEqual([{ note: 'committed' }]);
    await again.end();
  });
});
