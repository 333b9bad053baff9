import type { RunningSandbox } from '../../apps/tiktok-sandbox/src';
import { freePort } from '../../apps/helpdesk/src/database/free-port';
import type { DemoSecrets } from '../../apps/helpdesk/src/demo/demo-secrets';
import { startDemoProcess, type DemoProcess } from './demo-process';
import { followRedirects, generateAdmin, get } from './e2e-harness';
import { SandboxControl } from './sandbox-control';

export interface DemoClusterOptions {
  /** How many demo processes. */
  size: number;
  /** The one database every process uses. */
  databaseUrl: string;
  /** The one TikTok sandbox every process talks to (started with `secrets`' app id and secret). */
  sandbox: RunningSandbox;
  secrets: DemoSecrets;
  /** Extra environment for every process, e.g. the sweep cadences. */
  env?: Record<string, string>;
}

export interface ConnectedBusiness {
  businessId: string;
  username: string;
  inboxId: string;
}

export interface DemoCluster {
  /** Every process started, in order; a killed one stays in the list (as a load balancer would). */
  readonly members: DemoProcess[];
  /** Connects a TikTok Business account through the OAuth flow of member `via`. */
  connect(username: string, via: number): Promise<ConnectedBusiness>;
  /** Ctrl-C to every member still running; resolves once all have exited. */
  close(): Promise<void>;
}

/**
 * N demo helpdesks (`apps/helpdesk/src/main.ts`) as child processes on different ports, sharing
 * one database and one sandbox, with their background sweeps on: the shape of a host that runs
 * several identical processes behind a load balancer. Each member's OAuth callback is its own URL.
 * All members start together on the (possibly fresh) database: their migrations run behind an
 * advisory lock (`runMigrationsExclusively`), so one migrates and the others wait for it.
 */
export async function startDemoCluster(options: DemoClusterOptions): Promise<DemoCluster> {
  const members: DemoProcess[] = [];
  // One admin for the whole cluster: the members share the users table, and each re-asserts the
  // admin's password at start-up.
  const admin = generateAdmin();
  const start = async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    return startDemoProcess({
      port,
      env: {
        DATABASE_URL: options.databaseUrl,
        PUBLIC_URL: url,
        TIKTOK_API_BASE_URL: options.sandbox.apiBaseUrl,
        TIKTOK_AUTHORIZE_URL: options.sandbox.authorizeUrl,
        TIKTOK_APP_ID: options.secrets.appId,
        TIKTOK_APP_SECRET: options.secrets.appSecret,
        TIKTOK_REDIRECT_URI: `${url}/tiktok/oauth/callback`,
        TIKTOK_TOKEN_ENCRYPTION_KEYS: options.secrets.tokenEncryptionKeys.join(','),
        HELPDESK_ADMIN_EMAIL: admin.email,
        HELPDESK_ADMIN_PASSWORD: admin.password,
        ...options.env,
      },
    });
  };
  const close = async () => {
    await Promise.all(members.map((member) => member.stop()));
  };
  try {
    const started = await Promise.allSettled(Array.from({ length: options.size }, start));
    for (const result of started) if (result.status === 'fulfilled') members.push(result.value);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (error) {
    await close();
    throw error;
  }
  const sandbox = new SandboxControl(options.sandbox.url);
  return {
    members,
    close,
    connect: async (username, via) => {
      const member = members[via];
      await sandbox.queueConsent(username, 'business', 'approve');
      const hops = await followRedirects(`${member.url}/tiktok/oauth/authorize`);
      const landed = new URL(hops[hops.length - 1]);
      if (landed.searchParams.get('tiktok_status') !== 'connected') {
        throw new Error(`connecting ${username} failed: ${landed.toString()}`);
      }
      const inboxes = await get<
        Array<{ id: string; channel: { businessId: string; username: string } }>
      >(`${member.url}/api/inboxes`);
      const inbox = inboxes.find((i) => i.channel.username === username);
      if (!inbox) throw new Error(`no inbox for ${username}`);
      return { businessId: inbox.channel.businessId, username, inboxId: inbox.id };
    },
  };
}
