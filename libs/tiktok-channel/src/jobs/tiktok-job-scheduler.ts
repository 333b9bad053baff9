import { Injectable, Logger, Optional, type OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { TiktokChannelConfigError } from '../tiktok-channel.config';
import type { TiktokChannelJobName } from './tiktok-channel-jobs';

interface ScheduledJob {
  name: TiktokChannelJobName;
  timer: NodeJS.Timeout;
  running: Promise<void> | null;
}

/**
 * Registers the channel's sweeps as intervals in the host's `SchedulerRegistry`. A run never
 * overlaps the one before it (a tick that finds the last run still going is skipped), and a job
 * name can be registered once per registry, so no set-up runs a sweep twice in one process.
 */
@Injectable()
export class TiktokJobScheduler implements OnModuleDestroy {
  private readonly logger = new Logger('TiktokChannel');
  private readonly jobs: ScheduledJob[] = [];

  constructor(@Optional() private readonly registry?: SchedulerRegistry) {}

  /** Throws a `TiktokChannelConfigError` when the host has no scheduler or the job already exists. */
  schedule(name: TiktokChannelJobName, intervalSeconds: number, run: () => Promise<unknown>): void {
    const registry = this.registry;
    if (!registry) {
      throw new TiktokChannelConfigError(
        'background jobs need @nestjs/schedule: import ScheduleModule.forRoot() in your root module ' +
          '(or set enableBackgroundJobs: false and run the sweeps yourself)',
      );
    }
    if (registry.doesExist('interval', name)) {
      throw new TiktokChannelConfigError(
        `the job "${name}" is already scheduled: TiktokChannelModule is registered twice in this app`,
      );
    }
    const job: ScheduledJob = {
      name,
      running: null,
      timer: undefined as unknown as NodeJS.Timeout,
    };
    job.timer = setInterval(() => {
      if (job.running) return;
      job.running = run()
        .then(() => undefined)
        .catch((error: unknown) =>
          this.logger.error(`Job ${name} failed: ${(error as Error).message ?? String(error)}`),
        )
        .finally(() => {
          job.running = null;
        });
    }, intervalSeconds * 1000);
    job.timer.unref();
    registry.addInterval(name, job.timer);
    this.jobs.push(job);
  }

  async onModuleDestroy(): Promise<void> {
    for (const job of this.jobs) {
      clearInterval(job.timer);
      // The host may have deleted it already to stop the job.
      if (this.registry?.doesExist('interval', job.name)) this.registry.deleteInterval(job.name);
    }
    await Promise.all(this.jobs.map((job) => job.running));
  }
}
