import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import { TiktokTokenService } from './tiktok-token.service';

const REFRESH_SWEEP_INTERVAL_MS = 60_000;

/**
 * Refreshes idle accounts before their access token lapses, so the first message after a quiet
 * night does not wait for a refresh (and an account nobody writes to does not silently expire),
 * and warns the host about refresh tokens that are about to run out.
 */
@Injectable()
export class TokenRefreshCron implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('TiktokChannel');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly tokens: TiktokTokenService,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.enableBackgroundJobs) return;
    this.timer = setInterval(() => this.sweep(), REFRESH_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private sweep(): void {
    if (this.running) return;
    this.running = this.tokens
      .refreshDueAccounts()
      .then(() => this.tokens.warnExpiringRefreshTokens())
      .catch((error: Error) => this.logger.error(`Token refresh sweep failed: ${error.message}`))
      .finally(() => {
        this.running = null;
      });
  }
}
