import type { LogLevel } from '@nestjs/common';
import type { HelpdeskAdminCredentials } from './auth/helpdesk-auth.config';

/** Everything the helpdesk needs to run; main.ts builds it from the environment, tests by hand. */
export interface HelpdeskConfig {
  databaseUrl: string;
  /** Where people reach the helpdesk, e.g. `http://localhost:3000`. */
  publicUrl: string;
  /** The admin who signs in (and adds agents); created or updated at start-up. */
  admin: HelpdeskAdminCredentials;
  tiktok: {
    appId: string;
    appSecret: string;
    apiBaseUrl: string;
    authorizeUrl: string;
    redirectUri: string;
    /** `keyId:base64Of32Bytes`, newest first. */
    tokenEncryptionKeys: string[];
    /** Cadence of the channel's token refresh sweep; the library's default (60 s) when unset. */
    tokenRefreshIntervalSeconds?: number;
    /** Cadence of the channel's inbound sweep; the library's default (5 s) when unset. */
    inboundSweepIntervalSeconds?: number;
    /** Where TikTok delivers webhooks; the diagnostics and `npm run webhook` use it. */
    webhookCallbackUrl?: string;
  };
  /**
   * Where the images, videos and stickers customers send are kept, one file each. The demo uses
   * `.data/attachments` (git-ignored); default: a directory in the OS's temp folder.
   */
  attachmentsDirectory?: string;
  /** Run the library's sweeps (token refresh, stale webhook events). Default false: tests drive time. */
  backgroundJobs?: boolean;
  logger?: false | LogLevel[];
  /**
   * Let Nest close the app on SIGINT/SIGTERM. Default true. The demo turns it off because it must
   * also stop the sandbox and PostgreSQL after the app, in that order, and owns the signals itself.
   */
  shutdownHooks?: boolean;
}
