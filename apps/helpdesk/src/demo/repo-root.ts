import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository's root: the nearest folder above `from` with a package.json. main.ts runs both
 * from apps/helpdesk/src (ts) and from dist/apps/helpdesk/src (compiled), so a fixed `../..` would
 * be right for only one of them.
 */
export function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No package.json in any folder above ${from}`);
  }
}
