import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryRows } from '../persistence/sql';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';

/**
 * Keeps each business under TikTok's per-business rate (about 10 requests per second, answered
 * with 40100 beyond), across every process: a request reserves the business's next slot on its
 * `tiktok_rate_limits` row with one statement, then waits for that slot without holding anything.
 *
 * Slots are spaced evenly (1/rate apart) with no burst: a server that counts with a token bucket
 * holding one second of requests then tolerates up to 0.9 s of network and scheduling jitter, and
 * a server that counts per window sees at most one request more than the rate in any second. The
 * database's clock decides, so processes on machines whose clocks differ still share one schedule.
 */
@Injectable()
export class TiktokRateLimiter {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
  ) {}

  /** Reserves the business's next slot and resolves when it has come. */
  async acquire(businessId: string): Promise<void> {
    const waitMs = await this.reserve(businessId);
    if (waitMs > 0) await sleep(waitMs);
  }

  /** Reserves a slot; resolves with how many milliseconds until it starts. */
  async reserve(businessId: string): Promise<number> {
    const [row] = await queryRows<{ wait_ms: number }>(
      this.dataSource,
      reserveSlotSql('$1', '$2'),
      [businessId, this.intervalSeconds()],
    );
    return row?.wait_ms ?? 0;
  }

  /**
   * TikTok throttled the business anyway (another app on the same account, a stricter limit than
   * configured): nobody starts a request for it before `ms` have passed.
   */
  async backOff(businessId: string, ms: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO tiktok_rate_limits AS r (business_id, next_slot_at)
       VALUES ($1, clock_timestamp() + make_interval(secs => $2))
       ON CONFLICT (business_id) DO UPDATE
         SET next_slot_at = GREATEST(r.next_slot_at, clock_timestamp() + make_interval(secs => $2))`,
      [businessId, ms / 1000],
    );
  }

  /** Seconds between two requests of one business. */
  intervalSeconds(): number {
    return 1 / this.config.rateLimitPerSecond;
  }
}

/**
 * The reservation, one statement: the business's next slot moves one interval on (from now, when
 * it lies in the past), and the answer is how long until the reserved slot starts.
 */
export function reserveSlotSql(businessParam: string, intervalParam: string): string {
  return `INSERT INTO tiktok_rate_limits AS r (business_id, next_slot_at)
       VALUES (${businessParam}, clock_timestamp() + make_interval(secs => ${intervalParam}))
       ON CONFLICT (business_id) DO UPDATE
         SET next_slot_at = GREATEST(r.next_slot_at, clock_timestamp()) + make_interval(secs => ${intervalParam})
       RETURNING GREATEST(0, EXTRACT(EPOCH FROM (r.next_slot_at - clock_timestamp())) * 1000 - ${intervalParam} * 1000)::float8 AS wait_ms`;
}
