/**
 * Names of the channel's jobs in `@nestjs/schedule`'s `SchedulerRegistry`. A host can look them up
 * (`schedulerRegistry.getInterval(TiktokChannelJobs.TokenRefresh)`) or stop one
 * (`deleteInterval`); their cadence is set in the module options.
 */
export const TiktokChannelJobs = {
  /** Refreshes access tokens before they lapse and warns about expiring refresh tokens. */
  TokenRefresh: 'tiktok-channel:token-refresh',
  /** Processes stored webhook events that no kick reached (a crash, a retry coming due). */
  InboundSweep: 'tiktok-channel:inbound-sweep',
  /** Sends, retries and reconciles what no request finished (a crash, a backoff coming due). */
  OutboundSweep: 'tiktok-channel:outbound-sweep',
  /** Drops old webhook bodies and prunes old events, sent parts and expired OAuth states. */
  Retention: 'tiktok-channel:retention',
} as const;

export type TiktokChannelJobName = (typeof TiktokChannelJobs)[keyof typeof TiktokChannelJobs];
