import { fork, type ChildProcess } from 'node:child_process';
import { extname, join } from 'node:path';
import { findRepoRoot } from '../apps/helpdesk/src/demo/repo-root';
import type { Commands, FromChild, ToChild } from './child-protocol';

/** How long a part may take to close once asked before it is killed. */
const CLOSE_TIMEOUT_MS = 20_000;

export class ChildCommandError extends Error {
  override readonly name = 'ChildCommandError';
}

/**
 * The bench's side of a part run in a process of its own (`<name>.ts` or `.js` beside this file,
 * whichever this is: the built bench forks built workers, a test under ts-node forks sources).
 * Children start with `--expose-gc`, so a memory reading can follow a full collection.
 */
export class BenchChild<C extends Commands> {
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (result: unknown) => void; reject: (error: Error) => void }
  >();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    private readonly name: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        for (const waiter of this.waiting.values())
          waiter.reject(new ChildCommandError(`${name} exited (${signal ?? code})`));
        this.waiting.clear();
        resolve({ code, signal });
      }),
    );
    child.on('message', (message: FromChild) => {
      if (message.type === 'ready') return;
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.type === 'reply') waiter?.resolve(message.result);
      else waiter?.reject(new ChildCommandError(`${name}: ${message.message}`));
    });
  }

  get pid(): number {
    return this.child.pid as number;
  }

  static async fork<C extends Commands>(name: string): Promise<BenchChild<C>> {
    const root = findRepoRoot(__dirname);
    const fromSources = extname(__filename) === '.ts';
    const execArgv = fromSources
      ? [
          '-r',
          'ts-node/register/transpile-only',
          '-r',
          join(root, 'scripts', 'register-ts-paths.js'),
        ]
      : ['-r', join(root, 'scripts', 'register-paths.js')];
    const child = fork(join(__dirname, `${name}${extname(__filename)}`), [], {
      cwd: root,
      execArgv: [...execArgv, '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const handle = new BenchChild<C>(name, child);
    await new Promise<void>((resolve, reject) => {
      child.once('message', (message: FromChild) =>
        message.type === 'ready'
          ? resolve()
          : reject(new ChildCommandError(`${name} did not start`)),
      );
      child.once('error', reject);
      void handle.exited.then(({ code, signal }) =>
        reject(new ChildCommandError(`${name} exited while starting (${signal ?? code})`)),
      );
    });
    return handle;
  }

  call<K extends keyof C & string>(command: K, args: C[K]['args']): Promise<C[K]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (!this.child.connected) {
        reject(new ChildCommandError(`${this.name} is not running`));
        return;
      }
      this.waiting.set(id, { resolve: resolve as (result: unknown) => void, reject });
      const message: ToChild = { type: 'call', id, command, args };
      this.child.send(message);
    });
  }

  /** Lets go of the child (it shuts down in order), killing it if it takes too long. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), CLOSE_TIMEOUT_MS);
    if (this.child.connected) this.child.disconnect();
    else this.child.kill('SIGTERM');
    await this.exited;
    clearTimeout(timer);
  }
}
