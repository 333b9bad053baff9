import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import {
  TiktokChannelModule,
  type TiktokChannelModuleOptions,
} from '../../libs/tiktok-channel/src';
import { libraryTestModule, type LibraryHost } from './library-host';
import { RecordingPort } from './recording-port';

export interface SecondInstance {
  app: INestApplication;
  port: RecordingPort;
  close(): Promise<void>;
}

/**
 * Another instance of the library on the host's database and sandbox: to the database it is
 * another process (its own pool, its own worker and lease owner), with its own options.
 */
export async function startSecondInstance(
  host: LibraryHost,
  overrides: Partial<TiktokChannelModuleOptions> = {},
): Promise<SecondInstance> {
  const module = libraryTestModule({
    databaseUrl: host.databaseUrl,
    channel: TiktokChannelModule.forRoot({
      ...host.options,
      ...overrides,
      helpdeskPort: RecordingPort,
    }),
    schedule: overrides.enableBackgroundJobs === true,
  });
  const app = await NestFactory.create(module, { rawBody: true, logger: false });
  await app.init();
  const port = RecordingPort.instances[RecordingPort.instances.length - 1];
  return { app, port, close: () => app.close() };
}
