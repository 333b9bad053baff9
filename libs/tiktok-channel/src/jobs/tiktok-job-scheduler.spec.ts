import { SchedulerRegistry } from '@nestjs/schedule';
import { TiktokChannelConfigError } from '../tiktok-channel.config';
import { TiktokChannelJobs } from './tiktok-channel-jobs';
import { TiktokJobScheduler } from './tiktok-job-scheduler';

describe('TiktokJobScheduler', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('registers the job in SchedulerRegistry under its documented name', async () => {
    const registry = new SchedulerRegistry();
    const scheduler = new TiktokJobScheduler(registry);
    scheduler.schedule(TiktokChannelJobs.TokenRefresh, 60, async () => undefined);
    scheduler.onApplicationBootstrap();

    expect(registry.getIntervals()).toEqual(['tiktok-channel:token-refresh']);
    await scheduler.onModuleDestroy();
    expect(registry.getIntervals()).toEqual([]);
  });

  it('starts no timer before the application has bootstrapped', async () => {
    const registry = new SchedulerRegistry();
    const scheduler = new TiktokJobScheduler(registry);
    const run = jest.fn(async () => undefined);
    scheduler.schedule(TiktokChannelJobs.TokenRefresh, 1, run);

    await jest.advanceTimersByTimeAsync(5_000);
    expect(run).not.toHaveBeenCalled();
    expect(registry.getIntervals()).toEqual([]);
    scheduler.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(run).toHaveBeenCalledTimes(1);
    await scheduler.onModuleDestroy();
  });

  it('starts a job asked for after bootstrap at once', async () => {
    const registry = new SchedulerRegistry();
    const scheduler = new TiktokJobScheduler(registry);
    scheduler.onApplicationBootstrap();
    const run = jest.fn(async () => undefined);
    scheduler.schedule(TiktokChannelJobs.Retention, 1, run);

    await jest.advanceTimersByTimeAsync(1_000);
    expect(run).toHaveBeenCalledTimes(1);
    expect(registry.getIntervals()).toEqual([TiktokChannelJobs.Retention]);
    await scheduler.onModuleDestroy();
  });

  it('runs at the configured cadence and never starts a run while the last one is going', async () => {
    const scheduler = new TiktokJobScheduler(new SchedulerRegistry());
    let finish: () => void = () => undefined;
    const run = jest.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    scheduler.schedule(TiktokChannelJobs.InboundSweep, 7, run);
    scheduler.onApplicationBootstrap();

    await jest.advanceTimersByTimeAsync(6_999);
    expect(run).toHaveBeenCalledTimes(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(7_000 * 5);
    expect(run).toHaveBeenCalledTimes(1);

    finish();
    await jest.advanceTimersByTimeAsync(7_000);
    expect(run).toHaveBeenCalledTimes(2);
    finish();
    await scheduler.onModuleDestroy();
  });

  it('keeps scheduling after a run fails', async () => {
    const scheduler = new TiktokJobScheduler(new SchedulerRegistry());
    const run = jest.fn().mockRejectedValueOnce(new Error('db down')).mockResolvedValue(undefined);
    scheduler.schedule(TiktokChannelJobs.InboundSweep, 1, run);
    scheduler.onApplicationBootstrap();

    await jest.advanceTimersByTimeAsync(2_000);
    expect(run).toHaveBeenCalledTimes(2);
    await scheduler.onModuleDestroy();
  });

  it('refuses to run without ScheduleModule, saying how to fix it', () => {
    const scheduler = new TiktokJobScheduler(undefined);
    expect(() => scheduler.schedule(TiktokChannelJobs.TokenRefresh, 60, async () => 0)).toThrow(
      TiktokChannelConfigError,
    );
    expect(() => scheduler.schedule(TiktokChannelJobs.TokenRefresh, 60, async () => 0)).toThrow(
      /ScheduleModule\.forRoot\(\)/,
    );
  });

  it('refuses a second registration of the same job, so no set-up runs a sweep twice', async () => {
    const registry = new SchedulerRegistry();
    const first = new TiktokJobScheduler(registry);
    const second = new TiktokJobScheduler(registry);
    first.schedule(TiktokChannelJobs.TokenRefresh, 60, async () => 0);
    first.onApplicationBootstrap();

    expect(() => second.schedule(TiktokChannelJobs.TokenRefresh, 60, async () => 0)).toThrow(
      /already scheduled: TiktokChannelModule is registered twice/,
    );
    await first.onModuleDestroy();
  });

  it('lets the host stop a job by deleting its interval', async () => {
    const registry = new SchedulerRegistry();
    const scheduler = new TiktokJobScheduler(registry);
    const run = jest.fn(async () => undefined);
    scheduler.schedule(TiktokChannelJobs.TokenRefresh, 1, run);
    scheduler.onApplicationBootstrap();

    registry.deleteInterval(TiktokChannelJobs.TokenRefresh);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(run).not.toHaveBeenCalled();
    await scheduler.onModuleDestroy();
  });
});
