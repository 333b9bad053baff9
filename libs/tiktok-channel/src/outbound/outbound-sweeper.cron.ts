import { Injectable, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { TiktokChannelJobs } from '../jobs/tiktok-channel-jobs';
import { TiktokJobScheduler } from '../jobs/tiktok-job-scheduler';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import { OutboundWorker } from './outbound-worker.service';

/**
 * Sends what no request finished: parts a crash left (`pending`, or `sending` with an unknown
 * outcome to reconcile), retries coming due, statuses the host was not told. Every process may run
 * it; conversation leases make that safe. Registered as `TiktokChannelJobs.OutboundSweep`.
 */
@Injectable()
export class OutboundSweeperCron implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly worker: OutboundWorker,
    private readonly scheduler: TiktokJobScheduler,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
  ) {}

  onModuleInit(): void {
    if (!this.config.enableBackgroundJobs) return;
    this.scheduler.schedule(
      TiktokChannelJobs.OutboundSweep,
      this.config.outboundSweepIntervalSeconds,
      () => this.worker.sweep(),
    );
  }

  /** What a previous run left is picked up at once, not at the first tick. */
  onApplicationBootstrap(): void {
    if (this.config.enableBackgroundJobs) void this.worker.sweep().catch(() => undefined);
  }
}
