import { startSandbox, type RunningSandbox } from 'tiktok-sandbox';
import { serveCommands } from './child-entry';

/** The sandbox's addresses, as the demo needs them. */
export interface SandboxEndpoints {
  url: string;
  apiBaseUrl: string;
  authorizeUrl: string;
}

export type SandboxCommands = {
  start: { args: { appId: string; appSecret: string }; result: SandboxEndpoints };
};

/**
 * The TikTok sandbox in a process of its own (see sandbox-child.ts): TikTok answers from
 * elsewhere, and its CPU and memory are not the demo's.
 */
let sandbox: RunningSandbox | undefined;

serveCommands<SandboxCommands>(
  {
    start: async ({ appId, appSecret }) => {
      // Its request log would only slow it down.
      sandbox = await startSandbox({ port: 0, appId, appSecret, log: () => undefined });
      return {
        url: sandbox.url,
        apiBaseUrl: sandbox.apiBaseUrl,
        authorizeUrl: sandbox.authorizeUrl,
      };
    },
  },
  async () => {
    await sandbox?.close();
  },
);
