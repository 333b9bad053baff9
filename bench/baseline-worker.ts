import { startBaselineServer, type BaselineOptions, type BaselineServer } from './baseline-server';
import { serveCommands } from './child-entry';

export type BaselineCommands = {
  start: { args: BaselineOptions; result: { url: string } };
};

/** The baseline server in a process of its own, so its CPU and memory are read apart. */
let server: BaselineServer | undefined;

serveCommands<BaselineCommands>(
  {
    start: async (options) => {
      server = await startBaselineServer(options);
      return { url: server.url };
    },
  },
  async () => {
    await server?.close();
  },
);
