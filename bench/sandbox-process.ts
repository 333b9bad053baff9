import { fork } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../apps/helpdesk/src/database/free-port';

export interface SandboxProcess {
  pid: number;
  url: string;
  apiBaseUrl: string;
  authorizeUrl: string;
  close(): Promise<void>;
}

/**
 * The TikTok sandbox in a process of its own (the built `apps/tiktok-sandbox/src/main.js`), so
 * that its CPU is not counted as the library's: TikTok answers from elsewhere, too.
 */
export async function startSandboxProcess(
  appId: string,
  appSecret: string,
): Promise<SandboxProcess> {
  const port = await freePort();
  const main = join(__dirname, '..', 'apps', 'tiktok-sandbox', 'src', 'main.js');
  const child = fork(main, [], {
    env: {
      ...process.env,
      TIKTOK_SANDBOX_PORT: String(port),
      TIKTOK_SANDBOX_HOST: '127.0.0.1',
      TIKTOK_APP_ID: appId,
      TIKTOK_APP_SECRET: appSecret,
    },
    execArgv: [],
    // Its request log would only slow it down.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error('the sandbox process exited while starting');
    try {
      const response = await fetch(`${url}/sandbox/stats`);
      await response.arrayBuffer();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (attempt > 300) {
      child.kill('SIGKILL');
      throw new Error('the sandbox process did not start within 30 s');
    }
    await sleep(100);
  }
  return {
    pid: child.pid as number,
    url,
    apiBaseUrl: `${url}/open_api/v1.3/`,
    authorizeUrl: `${url}/v2/auth/authorize/`,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}
