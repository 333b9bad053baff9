import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import {
  TiktokChannelModule,
  tiktokChannelEntities,
  tiktokChannelMigrations,
  type EchoMessage,
  type InboundMessage,
  type TiktokChannelModuleOptions,
  type TiktokHelpdeskPort,
} from '../libs/tiktok-channel/src';

/**
 * The smallest honest host: answers the port from memory (idempotent, like a real one) and
 * counts the final statuses, so the bench measures the library and not a helpdesk's database.
 */
@Injectable()
export class CountingPort implements TiktokHelpdeskPort {
  static current: CountingPort | undefined;
  readonly finalStatus = new Map<string, string>();
  private readonly ids = new Map<string, string>();

  constructor() {
    CountingPort.current = this;
  }

  private id(key: string): string {
    let id = this.ids.get(key);
    if (!id) {
      id = randomUUID();
      this.ids.set(key, id);
    }
    return id;
  }

  async upsertInbox(a: Parameters<TiktokHelpdeskPort['upsertInbox']>[0]) {
    return { inboxId: a.inboxId ?? this.id(`inbox:${a.account.businessId}`) };
  }
  async upsertContact(c: Parameters<TiktokHelpdeskPort['upsertContact']>[0]) {
    return { contactId: this.id(`contact:${c.inboxId}:${c.tiktokUserId}`) };
  }
  async openConversation(c: Parameters<TiktokHelpdeskPort['openConversation']>[0]) {
    const key = `conversation:${c.inboxId}:${c.tiktokConversationId}`;
    const isNew = !this.ids.has(key);
    return { conversationId: this.id(key), isNew };
  }
  async appendMessage(m: InboundMessage | EchoMessage) {
    const key = `message:${m.tiktokMessageId}`;
    const created = !this.ids.has(key);
    return { messageId: this.id(key), created };
  }
  async updateMessageStatus(s: Parameters<TiktokHelpdeskPort['updateMessageStatus']>[0]) {
    if (s.status === 'sent' || s.status === 'failed') this.finalStatus.set(s.messageId, s.status);
  }
  async onAccountStatus(): Promise<void> {}
}

/** The library alone in a bare Nest app on `databaseUrl` (a pool of `poolSize`), listening on `port` for webhooks. */
export async function startOutboundApp(
  databaseUrl: string,
  options: TiktokChannelModuleOptions,
  port: number,
  poolSize: number,
): Promise<INestApplication> {
  @Module({
    imports: [
      TypeOrmModule.forRoot({
        type: 'postgres',
        url: databaseUrl,
        entities: tiktokChannelEntities,
        migrations: tiktokChannelMigrations,
        migrationsRun: true,
        // pg's pool; TypeORM's default is 10.
        extra: { max: poolSize },
      }),
      EventEmitterModule.forRoot(),
      TiktokChannelModule.forRoot({ ...options, helpdeskPort: CountingPort }),
    ],
  })
  class OutboundBenchModule {}
  const app = await NestFactory.create(OutboundBenchModule, { rawBody: true, logger: ['error'] });
  await app.listen(port, '127.0.0.1');
  return app;
}
