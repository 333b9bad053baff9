import { Injectable, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { TiktokChannelJobs } from '../jobs/tiktok-channel-jobs';
import { TiktokJobScheduler } from '../jobs/tiktok-job-scheduler';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import { InboundProcessor } from './inbound-processor.service';

/**
 * Picks up events that no kick reached: those stored by a process that crashed before handling
 * them, and those waiting for a retry. Every process may run it; claiming makes that safe.
 * Registered in `SchedulerRegistry` as `TiktokChannelJobs.InboundSweep`.
 */
@Injectable()
export class InboundSweeperCron implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly processor: InboundProcessor,
    private readonly scheduler: TiktokJobScheduler,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
  ) {}

  onModuleInit(): void {
    if (!this.config.enableBackgroundJobs) return;
    this.scheduler.schedule(
      TiktokChannelJobs.InboundSweep,
      this.config.inboundSweepIntervalSeconds,
      () => this.processor.settle(), // settle() first wakes events of newly connected businesses
    );
  }

  /** Whatever a previous run left behind is picked up at once, not at the first tick. */
  onApplicationBootstrap(): void {
    if (this.config.enableBackgroundJobs) this.processor.kick();
  }
}
