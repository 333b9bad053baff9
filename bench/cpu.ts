import { existsSync, readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of other processes, from /proc (Linux only; elsewhere NaN): what each part of a bench
 * costs, which stays meaningful on a shared machine where elapsed times do not.
 */

/** Linux's USER_HZ: /proc reports CPU time in ticks of 1/100 s. */
const TICKS_PER_SECOND = 100;

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces: state is field 3, ppid 4, utime 14.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** User + system CPU of the process, in ms; with `children`, also of its exited, reaped children. */
export function processCpuMs(pid: number, children = false): number {
  const f = statFields(pid);
  if (!f) return NaN;
  const ticks = Number(f[11]) + Number(f[12]) + (children ? Number(f[13]) + Number(f[14]) : 0);
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/**
 * A PostgreSQL server's CPU in ms: the postmaster with its reaped children (backends that ended)
 * plus every live child (backends, background workers).
 */
export function serverCpuMs(postmasterPid: number | undefined): number {
  if (postmasterPid === undefined || !existsSync('/proc/self/stat')) return NaN;
  let total = processCpuMs(postmasterPid, true);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(Number(entry));
    if (f && Number(f[1]) === postmasterPid) total += processCpuMs(Number(entry));
  }
  return total;
}

/** This process's CPU in ms. */
export function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}
