import type { DemoSecrets } from '../apps/helpdesk/src/demo/demo-secrets';
import type { MemoryReport } from './memory-report';
import type { SandboxEndpoints } from './sandbox-worker';

/** The demo helpdesk as the bench sees it once a business is connected. */
export interface DemoInfo {
  url: string;
  appId: string;
  appSecret: string;
  businessId: string;
  businessUsername: string;
}

/**
 * What the bench asks of the demo process: what it did in-process before (pause and resume
 * processing, wait until processing is settled) and what it could only guess then (its memory).
 */
export type DemoCommands = {
  start: {
    args: { databaseUrl: string; sandbox: SandboxEndpoints; secrets: DemoSecrets };
    result: DemoInfo;
  };
  /** `InboundProcessor.pause()`: intake only, nothing processed until `resume`. */
  pause: { args: null; result: null };
  resume: { args: null; result: null };
  /** `InboundProcessor.settle()`: resolves once no batch is running or due. */
  settle: { args: null; result: null };
  /** `collect`: full collections until the RSS is stable, first. */
  memory: { args: { collect: boolean }; result: MemoryReport };
};
