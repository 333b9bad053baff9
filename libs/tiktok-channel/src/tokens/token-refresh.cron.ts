import { Injectable, type OnModuleInit } from '@nestjs/common';
import { TiktokChannelJobs } from '../jobs/tiktok-channel-jobs';
import { TiktokJobScheduler } from '../jobs/tiktok-job-scheduler';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import { TiktokTokenService } from './tiktok-token.service';

/**
 * The TokenService cron: refreshes idle accounts before their access token lapses, so the first
 * message after a quiet night does not wait for a refresh (and an account nobody writes to does
 * not silently expire), and warns the host about refresh tokens that are about to run out.
 * Registered in `SchedulerRegistry` as `TiktokChannelJobs.TokenRefresh`.
 */
@Injectable()
export class TokenRefreshCron implements OnModuleInit {
  constructor(
    private readonly tokens: TiktokTokenService,
    private readonly scheduler: TiktokJobScheduler,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
  ) {}

  onModuleInit(): void {
    if (!this.config.enableBackgroundJobs) return;
    this.scheduler.schedule(
      TiktokChannelJobs.TokenRefresh,
      this.config.tokenRefreshIntervalSeconds,
      () => this.sweep(),
    );
  }

  /** One run of the job; public so a host with background jobs off can run it on its own terms. */
  async sweep(): Promise<{ refreshed: number; failed: number; warned: number }> {
    const { refreshed, failed } = await this.tokens.refreshDueAccounts();
    const warned = await this.tokens.warnExpiringRefreshTokens();
    return { refreshed, failed, warned };
  }
}
