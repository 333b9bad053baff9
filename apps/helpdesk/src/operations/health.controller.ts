import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { TiktokHealthIndicator } from 'tiktok-channel';

/**
 * `GET /health` for load balancers and uptime checks: 200 while the helpdesk can work, 503 when
 * its database cannot. It never calls TikTok and shows no secret; `GET /api/diagnostics` is the
 * full check.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly tiktok: TiktokHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.tiktok.isHealthy('tiktok')]);
  }
}
