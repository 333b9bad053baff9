import 'reflect-metadata';
import { serveCommands } from './child-entry';
import type { DemoCommands } from './demo-protocol';
import { startLibraryApp, type LibraryApp } from './library-app';
import { memoryReport } from './memory-report';

/**
 * The demo helpdesk (the library in a real host) in a process of its own, driven by the bench
 * over IPC (demo-process.ts): its CPU and memory are then the demo's alone.
 */
let library: LibraryApp | undefined;

function started(): LibraryApp {
  if (!library) throw new Error('the demo has not been started');
  return library;
}

serveCommands<DemoCommands>(
  {
    start: async ({ databaseUrl, sandbox, secrets }) => {
      if (library) throw new Error('the demo is already started');
      library = await startLibraryApp(databaseUrl, sandbox, secrets);
      const { url, appId, appSecret, businessId, businessUsername } = library;
      return { url, appId, appSecret, businessId, businessUsername };
    },
    pause: async () => {
      await started().processor.pause();
      return null;
    },
    resume: () => {
      started().processor.resume();
      return null;
    },
    settle: async () => {
      await started().processor.settle();
      return null;
    },
    memory: (options) => memoryReport(options),
  },
  async () => {
    await library?.close();
  },
);
