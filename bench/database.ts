import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  startLocalPostgres,
  type LocalPostgres,
} from '../apps/helpdesk/src/database/local-postgres';
import { readPostmasterLock } from '../apps/helpdesk/src/database/stale-postgres';
import { stopPostgres } from '../apps/helpdesk/src/demo/stop-postgres';

/** A fresh database for one bench run, on `DATABASE_URL`'s server or an embedded one. */
export interface BenchDatabase {
  /** Connection URL of the run's own database. */
  url: string;
  /** How the server was obtained, for the report (no password). */
  source: string;
  /** The embedded server's postmaster, to account its CPU; unknown with DATABASE_URL. */
  serverPid?: number;
  /** Drops the run's database and stops an embedded server. Safe to call twice. */
  close(): Promise<void>;
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function openBenchDatabase(repoRoot: string): Promise<BenchDatabase> {
  let server: LocalPostgres | undefined;
  let adminUrl = process.env.DATABASE_URL;
  let source: string;
  const dataDir = join(repoRoot, '.data', 'bench-pg');
  if (adminUrl) {
    const { hostname, port } = new URL(adminUrl);
    source = `DATABASE_URL (${hostname}:${port || 5432})`;
  } else {
    // fsync off, as the report says (describeServer prints it): a throwaway cluster, where commit
    // costs would otherwise measure this machine's disk rather than the code. The demo runs with
    // fsync on.
    server = await startLocalPostgres({ dataDir, persistent: false, fsync: false });
    adminUrl = server.url;
    source = 'embedded PostgreSQL (.data/bench-pg, removed afterwards, fsync=off)';
  }
  const admin = adminUrl;
  const name = `bench_${randomBytes(5).toString('hex')}`;
  try {
    await withClient(admin, (client) => client.query(`CREATE DATABASE ${name}`));
  } catch (error) {
    if (server) await stopPostgres(server, dataDir);
    throw error;
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  let closing: Promise<void> | undefined;
  return {
    url: url.toString(),
    source,
    serverPid: server ? readPostmasterLock(dataDir)?.pid : undefined,
    close: () =>
      (closing ??= (async () => {
        try {
          await withClient(admin, (client) =>
            client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
          );
        } finally {
          if (server) {
            await stopPostgres(server, dataDir);
            // Normally gone already; not when Ctrl-C reached PostgreSQL before us.
            rmSync(dataDir, { recursive: true, force: true });
          }
        }
      })()),
  };
}

/** Server version and the settings that decide what a commit costs. */
export async function describeServer(url: string): Promise<string> {
  return withClient(url, async (client) => {
    const setting = async (name: string) =>
      String(
        (await client.query<{ v: string }>(`SELECT current_setting($1) AS v`, [name])).rows[0].v,
      );
    const version = await setting('server_version');
    const fsync = await setting('fsync');
    const syncCommit = await setting('synchronous_commit');
    return `PostgreSQL ${version.split(' ')[0]} (fsync=${fsync}, synchronous_commit=${syncCommit})`;
  });
}
