import { Injectable } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { TiktokDiagnostics } from './tiktok-diagnostics.service';

/**
 * A `@nestjs/terminus` health indicator for the host's own health route:
 *
 * ```ts
 * @Get('health') @HealthCheck()
 * check() { return this.health.check([() => this.tiktok.isHealthy('tiktok')]); }
 * ```
 *
 * It is `down` (so terminus answers 503) only when the channel cannot work at all: its database
 * does not answer, or its migrations have not run. It never calls TikTok (a probe every few
 * seconds must not spend TikTok's rate limit, and TikTok being slow should not take the host out of
 * its load balancer); `TiktokDiagnostics.run()` is the full check. No secret is ever included.
 * Terminus is only needed by hosts that use this class.
 */
@Injectable()
export class TiktokHealthIndicator {
  constructor(private readonly diagnostics: TiktokDiagnostics) {}

  async isHealthy(key = 'tiktok'): Promise<HealthIndicatorResult> {
    const summary = await this.diagnostics.health().catch(() => ({ database: 'down' as const }));
    return {
      [key]: {
        status: summary.database === 'up' ? 'up' : 'down',
        ...summary,
      },
    };
  }
}
