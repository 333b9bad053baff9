import type { DemoSecrets } from '../apps/helpdesk/src/demo/demo-secrets';
import { BenchChild } from './bench-child';
import type { DemoCommands, DemoInfo } from './demo-protocol';
import type { MemoryReport } from './memory-report';
import type { SandboxEndpoints } from './sandbox-worker';

/** The demo helpdesk in its own process (demo-worker), with one business connected. */
export interface DemoProcess extends DemoInfo {
  pid: number;
  pause(): Promise<void>;
  resume(): Promise<void>;
  settle(): Promise<void>;
  memory(options: { collect: boolean }): Promise<MemoryReport>;
  /** Resolves once the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  close(): Promise<void>;
}

export async function startDemoProcess(
  databaseUrl: string,
  sandbox: SandboxEndpoints,
  secrets: DemoSecrets,
): Promise<DemoProcess> {
  const child = await BenchChild.fork<DemoCommands>('demo-worker');
  try {
    const info = await child.call('start', { databaseUrl, sandbox, secrets });
    return {
      ...info,
      pid: child.pid,
      pause: async () => void (await child.call('pause', null)),
      resume: async () => void (await child.call('resume', null)),
      settle: async () => void (await child.call('settle', null)),
      memory: (options) => child.call('memory', options),
      exited: child.exited,
      close: () => child.close(),
    };
  } catch (error) {
    await child.close();
    throw error;
  }
}
