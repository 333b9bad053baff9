import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { FromWorker, PhaseRequest, PhaseResult, ToWorker } from './load-protocol';

/** Runs load phases in a child process (load-worker.js beside this file, i.e. from the build). */
export class LoadGenerator {
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (result: PhaseResult) => void; reject: (error: Error) => void }
  >();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: FromWorker) => {
      if (message.type === 'ready') return;
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.type === 'done') waiter?.resolve(message.result);
      else waiter?.reject(new Error(`load generator: ${message.message}`));
    });
    child.on('exit', (code, signal) => {
      for (const waiter of this.waiting.values())
        waiter.reject(new Error(`load generator exited (${signal ?? code})`));
      this.waiting.clear();
    });
  }

  static async start(): Promise<LoadGenerator> {
    const child = fork(join(__dirname, 'load-worker.js'), [], {
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', (message: FromWorker) =>
        message.type === 'ready' ? resolve() : reject(new Error('load generator did not start')),
      );
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`load generator exited early (${code})`)));
    });
    return new LoadGenerator(child);
  }

  run(phase: PhaseRequest): Promise<PhaseResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const message: ToWorker = { type: 'run', id, phase };
      this.child.send(message);
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect();
    await exited;
  }
}
