import { Injectable, type OnModuleInit } from '@nestjs/common';
import { TiktokChannelJobs } from '../jobs/tiktok-channel-jobs';
import { TiktokJobScheduler } from '../jobs/tiktok-job-scheduler';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import { TiktokRetentionService } from './tiktok-retention.service';

/** Registered in `SchedulerRegistry` as `TiktokChannelJobs.Retention`; every process may run it. */
@Injectable()
export class RetentionCron implements OnModuleInit {
  constructor(
    private readonly retention: TiktokRetentionService,
    private readonly scheduler: TiktokJobScheduler,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
  ) {}

  onModuleInit(): void {
    if (!this.config.enableBackgroundJobs) return;
    this.scheduler.schedule(TiktokChannelJobs.Retention, this.config.retentionIntervalSeconds, () =>
      this.retention.run(),
    );
  }
}
