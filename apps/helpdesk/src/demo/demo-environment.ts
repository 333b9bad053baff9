import { join, resolve } from 'node:path';
import type { HelpdeskConfig } from '../helpdesk-config';
import { loadDemoSecrets, loadOrCreateDemoSecrets, type DemoSecrets } from './demo-secrets';

export const DEFAULT_TIKTOK_AUTHORIZE_URL = 'https://www.tiktok.com/v2/auth/authorize/';

/** A setting the person can fix; the message says which and how. */
export class DemoConfigError extends Error {
  override readonly name = 'DemoConfigError';
}

/** What the demo's environment (and `.data/demo-secrets.json`) says, shared by `npm start` and its tools. */
export interface DemoEnvironment {
  dataDir: string;
  port: number;
  publicUrl: string;
  /** DATABASE_URL, when set; otherwise the demo's embedded PostgreSQL in `dataDir/demo-pg`. */
  databaseUrl?: string;
  /** Set when the demo runs the local TikTok sandbox (no TIKTOK_API_BASE_URL). */
  sandbox?: { port: number; url: string };
  /** The channel's settings; with the sandbox, its address is the one the demo starts it on. */
  tiktok: HelpdeskConfig['tiktok'];
}

/**
 * Reads the demo's settings. `secrets: 'create'` (the demo) generates the secrets file on first
 * start; `'read'` (tools such as the doctor) never writes it and says what is missing instead.
 */
export function demoEnvironment(
  env: NodeJS.ProcessEnv,
  root: string,
  secrets: 'create' | 'read',
): DemoEnvironment {
  const dataDir = demoDataDir(env, root);
  const port = portFrom(env, 'PORT', 3000);
  const publicUrl = (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  let loaded: DemoSecrets | undefined;
  const demoSecrets = (): DemoSecrets => {
    const file = join(dataDir, 'demo-secrets.json');
    loaded ??= secrets === 'create' ? loadOrCreateDemoSecrets(file) : loadDemoSecrets(file);
    if (!loaded) {
      throw new DemoConfigError(
        `there are no demo secrets in ${file} and not every TIKTOK_* variable is set: start the demo once (npm start), or set them`,
      );
    }
    return loaded;
  };
  const tokenEncryptionKeys = env.TIKTOK_TOKEN_ENCRYPTION_KEYS
    ? env.TIKTOK_TOKEN_ENCRYPTION_KEYS.split(',')
        .map((key) => key.trim())
        .filter(Boolean)
    : demoSecrets().tokenEncryptionKeys;
  const webhookCallbackUrl = env.TIKTOK_WEBHOOK_CALLBACK_URL || `${publicUrl}/tiktok/webhook`;
  const sweeps = {
    tokenRefreshIntervalSeconds: secondsFrom(env, 'TIKTOK_TOKEN_REFRESH_INTERVAL_SECONDS'),
    inboundSweepIntervalSeconds: secondsFrom(env, 'TIKTOK_INBOUND_SWEEP_INTERVAL_SECONDS'),
  };
  const base = { dataDir, port, publicUrl, databaseUrl: env.DATABASE_URL || undefined };

  if (env.TIKTOK_API_BASE_URL) {
    const required = (name: string): string => {
      const value = env[name];
      if (!value) {
        throw new DemoConfigError(
          `${name} is required when TIKTOK_API_BASE_URL points at a real TikTok API`,
        );
      }
      return value;
    };
    return {
      ...base,
      tiktok: {
        appId: required('TIKTOK_APP_ID'),
        appSecret: required('TIKTOK_APP_SECRET'),
        apiBaseUrl: env.TIKTOK_API_BASE_URL,
        authorizeUrl: env.TIKTOK_AUTHORIZE_URL || DEFAULT_TIKTOK_AUTHORIZE_URL,
        redirectUri: required('TIKTOK_REDIRECT_URI'),
        tokenEncryptionKeys,
        webhookCallbackUrl,
        ...sweeps,
      },
    };
  }

  if (Boolean(env.TIKTOK_APP_ID) !== Boolean(env.TIKTOK_APP_SECRET)) {
    throw new DemoConfigError(
      'Set both TIKTOK_APP_ID and TIKTOK_APP_SECRET, or neither (the demo then uses generated ones)',
    );
  }
  const sandboxPort = portFrom(env, 'TIKTOK_SANDBOX_PORT', 4010);
  // startSandbox listens on 127.0.0.1 unless told otherwise.
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  return {
    ...base,
    sandbox: { port: sandboxPort, url: sandboxUrl },
    tiktok: {
      appId: env.TIKTOK_APP_ID || demoSecrets().appId,
      appSecret: env.TIKTOK_APP_SECRET || demoSecrets().appSecret,
      apiBaseUrl: `${sandboxUrl}/open_api/v1.3/`,
      authorizeUrl: `${sandboxUrl}/v2/auth/authorize/`,
      redirectUri: env.TIKTOK_REDIRECT_URI || `${publicUrl}/tiktok/oauth/callback`,
      tokenEncryptionKeys,
      webhookCallbackUrl,
      ...sweeps,
    },
  };
}

/** Where the demo keeps its secrets and embedded PostgreSQL: DEMO_DATA_DIR, or `.data` in the repository. */
export function demoDataDir(env: NodeJS.ProcessEnv, root: string): string {
  return env.DEMO_DATA_DIR ? resolve(env.DEMO_DATA_DIR) : join(root, '.data');
}

/** An optional number of seconds (a sweep's cadence); the library checks its range at start-up. */
function secondsFrom(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds)) throw new DemoConfigError(`${name} must be a number of seconds`);
  return seconds;
}

function portFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  const port = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new DemoConfigError(`${name} must be a port number, not "${raw}"`);
  }
  return port;
}
