import { BenchChild } from './bench-child';
import type { SandboxCommands, SandboxEndpoints } from './sandbox-worker';

export interface SandboxChild extends SandboxEndpoints {
  pid: number;
  close(): Promise<void>;
}

/** Starts the sandbox in a child process (sandbox-worker) with the demo's app id and secret. */
export async function startSandboxChild(appId: string, appSecret: string): Promise<SandboxChild> {
  const child = await BenchChild.fork<SandboxCommands>('sandbox-worker');
  try {
    const endpoints = await child.call('start', { appId, appSecret });
    return { ...endpoints, pid: child.pid, close: () => child.close() };
  } catch (error) {
    await child.close();
    throw error;
  }
}
