import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';

/** The parts of TypeORM's Postgres driver used to open a pool with the DataSource's own settings. */
interface PostgresDriverInternals {
  options: { replication?: { master?: object }; extra?: Record<string, unknown> } & object;
  createPool?(options: object, credentials: object): Promise<Pool>;
}

/**
 * Webhook intake's own connections, apart from the DataSource's pool that processing and the host
 * use: a backlog being processed never makes a TikTok delivery wait for a connection, and a burst
 * of deliveries never queues processing (or the host's port calls) behind it. Opened with the
 * DataSource's own connection settings (TypeORM's driver makes the pool), `intakePoolSize`
 * connections, on first use. Without a Postgres driver that can (another TypeORM), intake shares
 * the DataSource's pool as before.
 */
@Injectable()
export class IntakePool implements OnModuleDestroy {
  private readonly logger = new Logger('TiktokChannel');
  private pool: Promise<Pool | null> | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
  ) {}

  /** Runs one statement on intake's connections; rows as `pg` returns them. */
  async query<T>(sql: string, parameters: unknown[]): Promise<T[]> {
    const pool = await (this.pool ??= this.open());
    if (!pool) return (await this.dataSource.query(sql, parameters)) as T[];
    return (await pool.query(sql, parameters)).rows as T[];
  }

  private async open(): Promise<Pool | null> {
    const driver = this.dataSource.driver as unknown as PostgresDriverInternals;
    if (this.config.intakePoolSize === 0 || typeof driver.createPool !== 'function') return null;
    const size = this.config.intakePoolSize;
    try {
      return await driver.createPool(
        { ...driver.options, poolSize: size, extra: { ...driver.options.extra, max: size } },
        driver.options.replication?.master ?? driver.options,
      );
    } catch (error) {
      // Not a reason to refuse webhooks: the shared pool still takes them.
      this.logger.warn(`Webhook intake shares the main pool: ${(error as Error).message}`);
      return null;
    }
  }

  async onModuleDestroy(): Promise<void> {
    const pool = await this.pool;
    this.pool = null;
    await pool?.end();
  }
}
