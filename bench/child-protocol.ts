/**
 * The IPC between the bench and a part it runs in a process of its own (the demo, the baseline
 * server, the sandbox): named commands, each answered once. A part declares its commands as a
 * `Commands` map, which types both ends.
 */
export type Commands = Record<string, { args: unknown; result: unknown }>;

export type ToChild = { type: 'call'; id: number; command: string; args: unknown };

export type FromChild =
  | { type: 'ready' }
  | { type: 'reply'; id: number; result: unknown }
  | { type: 'failed'; id: number; message: string };
