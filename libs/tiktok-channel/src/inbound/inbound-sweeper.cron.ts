import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import { InboundProcessor } from './inbound-processor.service';

const SWEEP_INTERVAL_MS = 5_000;

/**
 * Picks up events that no kick reached: those stored by a process that crashed before handling
 * them, and those waiting for a retry. Every process may run it; claiming makes that safe.
 */
@Injectable()
export class InboundSweeperCron implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly processor: InboundProcessor,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.enableBackgroundJobs) return;
    this.processor.kick();
    this.timer = setInterval(() => this.processor.kick(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
