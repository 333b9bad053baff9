import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** What the demo generates once and keeps, so stored tokens stay readable across restarts. */
export interface DemoSecrets {
  appId: string;
  appSecret: string;
  /** `keyId:base64Of32Bytes`, the format the TikTok library's token cipher reads. */
  tokenEncryptionKeys: string[];
}

/** Fresh app credentials and a token key: what the demo keeps, and what every test or bench run uses once. */
export function generateDemoSecrets(): DemoSecrets {
  return {
    appId: `demo_app_${randomBytes(6).toString('hex')}`,
    appSecret: randomBytes(24).toString('hex'),
    tokenEncryptionKeys: [`demo1:${randomBytes(32).toString('base64')}`],
  };
}

function isDemoSecrets(value: unknown): value is DemoSecrets {
  const v = value as Partial<DemoSecrets> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.appId === 'string' &&
    typeof v.appSecret === 'string' &&
    Array.isArray(v.tokenEncryptionKeys) &&
    v.tokenEncryptionKeys.length > 0 &&
    v.tokenEncryptionKeys.every((key) => typeof key === 'string')
  );
}

/** The demo's secrets, or undefined when the demo never started here (tools must not create them). */
export function loadDemoSecrets(file: string): DemoSecrets | undefined {
  if (!existsSync(file)) return undefined;
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isDemoSecrets(parsed)) {
    throw new Error(
      `${file} is not a demo secrets file (appId, appSecret, tokenEncryptionKeys); move it away to regenerate`,
    );
  }
  return parsed;
}

/**
 * Reads the demo's secrets from `file`, creating it (readable by this user only) on first run.
 * A file that is not what we wrote is an error rather than silently replaced: replacing it would
 * make every stored token unreadable.
 */
export function loadOrCreateDemoSecrets(file: string): DemoSecrets {
  const onlyAdmin = holdsOnlyTheAdmin(file);
  const existing = onlyAdmin ? undefined : loadDemoSecrets(file);
  if (existing) return existing;
  const secrets = generateDemoSecrets();
  mkdirSync(dirname(file), { recursive: true });
  if (onlyAdmin) {
    // A start with every TIKTOK_* variable set kept only the admin here: add the rest beside it.
    const temporary = `${file}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ ...onlyAdmin, ...secrets }, null, 2)}\n`, {
      mode: 0o600,
    });
    renameSync(temporary, file);
    return secrets;
  }
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return secrets;
}

/** The file's content when it holds the demo's admin and none of the TikTok secrets yet. */
function holdsOnlyTheAdmin(file: string): Record<string, unknown> | undefined {
  if (!existsSync(file)) return undefined;
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const keys = Object.keys(parsed);
  return keys.length === 1 && keys[0] === 'admin' ? (parsed as Record<string, unknown>) : undefined;
}
