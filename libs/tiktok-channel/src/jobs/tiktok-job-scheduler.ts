import {
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { TiktokChannelConfigError } from '../tiktok-channel.config';
import type { TiktokChannelJobName } from './tiktok-channel-jobs';

interface ScheduledJob {
  name: TiktokChannelJobName;
  intervalSeconds: number;
  run: () => Promise<unknown>;
  timer: NodeJS.Timeout | null;
  running: Promise<void> | null;
}

/**
 * Job names taken in each registry, from `schedule()` on: two channel modules in one app are
 * refused at init, before either starts a timer.
 */
const claimedNames = new WeakMap<SchedulerRegistry, Set<string>>();

/**
 * Registers the channel's sweeps as intervals in the host's `SchedulerRegistry`. A run never
 * overlaps the one before it (a tick that finds the last run still going is skipped), and a job
 * name can be registered once per registry, so no set-up runs a sweep twice in one process.
 *
 * Jobs are checked when the crons ask for them (module init) but their timers start only at
 * application bootstrap, once every module of the host has initialised, as `@nestjs/schedule`
 * does for its own decorators: a boot that fails halfway leaves no sweep running against a
 * half-built app that nobody will close.
 */
@Injectable()
export class TiktokJobScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('TiktokChannel');
  private readonly jobs: ScheduledJob[] = [];
  private bootstrapped = false;

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
    const claimed = claimedNames.get(registry) ?? new Set<string>();
    claimedNames.set(registry, claimed);
    if (claimed.has(name) || registry.doesExist('interval', name)) {
      throw new TiktokChannelConfigError(
        `the job "${name}" is already scheduled: TiktokChannelModule is registered twice in this app`,
      );
    }
    claimed.add(name);
    const job: ScheduledJob = { name, intervalSeconds, run, timer: null, running: null };
    this.jobs.push(job);
    // A job asked for after bootstrap (a late provider) starts at once.
    if (this.bootstrapped) this.start(job);
  }

  onApplicationBootstrap(): void {
    this.bootstrapped = true;
    for (const job of this.jobs) this.start(job);
  }

  private start(job: ScheduledJob): void {
    if (job.timer || !this.registry) return;
    job.timer = setInterval(() => {
      if (job.running) return;
      job.running = job
        .run()
        .then(() => undefined)
        .catch((error: unknown) =>
          this.logger.error(`Job ${job.name} failed: ${(error as Error).message ?? String(error)}`),
        )
        .finally(() => {
          job.running = null;
        });
    }, job.intervalSeconds * 1000);
    job.timer.unref();
    this.registry.addInterval(job.name, job.timer);
  }

  async onModuleDestroy(): Promise<void> {
    for (const job of this.jobs) {
      if (job.timer) clearInterval(job.timer);
      // The host may have deleted it already to stop the job.
      if (job.timer && this.registry?.doesExist('interval', job.name))
        this.registry.deleteInterval(job.name);
      if (this.registry) claimedNames.get(this.registry)?.delete(job.name);
    }
    await Promise.all(this.jobs.map((job) => job.running));
  }
}
