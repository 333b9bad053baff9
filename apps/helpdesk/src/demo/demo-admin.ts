import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { HelpdeskAdminCredentials } from '../auth/helpdesk-auth.config';
import { DemoConfigError } from './demo-environment';

export const DEFAULT_ADMIN_EMAIL = 'admin@helpdesk.local';

/** The admin's credentials and where they came from, so the demo prints a generated password once. */
export interface DemoAdmin {
  credentials: HelpdeskAdminCredentials;
  source: 'environment' | 'secrets file' | 'generated';
}

/**
 * HELPDESK_ADMIN_EMAIL and HELPDESK_ADMIN_PASSWORD when set; otherwise the `admin` entry of the
 * demo's secrets file, generated (and added to the file, readable by this user only) on the
 * first start. The rest of the file is kept as it was.
 */
export function demoAdmin(env: NodeJS.ProcessEnv, secretsFile: string): DemoAdmin {
  const email = env.HELPDESK_ADMIN_EMAIL?.trim();
  const password = env.HELPDESK_ADMIN_PASSWORD;
  if (email || password) {
    if (!email || !password) {
      throw new DemoConfigError(
        'Set both HELPDESK_ADMIN_EMAIL and HELPDESK_ADMIN_PASSWORD, or neither (the demo then generates a password)',
      );
    }
    if (password.length < 10) {
      throw new DemoConfigError('HELPDESK_ADMIN_PASSWORD must be at least 10 characters');
    }
    return { credentials: { email, password }, source: 'environment' };
  }
  const file: Record<string, unknown> = existsSync(secretsFile)
    ? (JSON.parse(readFileSync(secretsFile, 'utf8')) as Record<string, unknown>)
    : {};
  const stored = file.admin as Partial<HelpdeskAdminCredentials> | undefined;
  if (stored && typeof stored.email === 'string' && typeof stored.password === 'string') {
    return {
      credentials: { email: stored.email, password: stored.password },
      source: 'secrets file',
    };
  }
  const credentials = {
    email: DEFAULT_ADMIN_EMAIL,
    password: randomBytes(12).toString('base64url'),
  };
  mkdirSync(dirname(secretsFile), { recursive: true });
  // Written beside and renamed over: a crash mid-write must not lose the token keys in the file.
  const temporary = `${secretsFile}.tmp`;
  writeFileSync(temporary, `${JSON.stringify({ ...file, admin: credentials }, null, 2)}\n`, {
    mode: 0o600,
  });
  renameSync(temporary, secretsFile);
  return { credentials, source: 'generated' };
}
