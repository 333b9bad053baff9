import type { BaselineOptions } from './baseline-server';
import { BenchChild } from './bench-child';
import type { BaselineCommands } from './baseline-worker';

export interface BaselineProcess {
  pid: number;
  url: string;
  close(): Promise<void>;
}

/** Starts the bare node:http + pg baseline (baseline-server.ts) in a child process. */
export async function startBaselineProcess(options: BaselineOptions): Promise<BaselineProcess> {
  const child = await BenchChild.fork<BaselineCommands>('baseline-worker');
  try {
    const { url } = await child.call('start', options);
    return { pid: child.pid, url, close: () => child.close() };
  } catch (error) {
    await child.close();
    throw error;
  }
}
