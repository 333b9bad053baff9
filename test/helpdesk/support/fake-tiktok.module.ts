import { Global, Module } from '@nestjs/common';
import {
  TiktokAccountsService,
  TiktokMessenger,
  type FailureReason,
  type SendInput,
  type SendOutcome,
  type TiktokAccountView,
  type TiktokSendingState,
} from 'tiktok-channel';
import { DataSource } from 'typeorm';
import { InboundAttachmentStore } from '../../../apps/helpdesk/src/attachments/inbound-attachment.store';
import { HelpdeskTiktokAdapter } from '../../../apps/helpdesk/src/tiktok/helpdesk-tiktok.adapter';

export type FakeSendBehaviour =
  { status: 'sent' } | { status: 'failed'; reason: FailureReason } | { status: 'throw' };

/** A conversation TikTok would deliver to now. */
export const OPEN_WINDOW: TiktokSendingState = {
  canSend: true,
  replyWindowEndsAt: new Date(Date.now() + 24 * 3600 * 1000),
  remainingMessages: 10,
  imageSend: 'unknown',
};

/**
 * Stands in for the library's messenger the way the real one behaves towards the host: it reports
 * the outcome through the port (so the host's row changes) and returns it.
 */
export class FakeMessenger {
  readonly calls: SendInput[] = [];
  readonly retries: string[] = [];
  behaviour: FakeSendBehaviour = { status: 'sent' };
  /** What `getSendingState` answers: whether TikTok would deliver a message now. */
  sendingState: TiktokSendingState = OPEN_WINDOW;
  private sequence = 0;

  constructor(private readonly port: HelpdeskTiktokAdapter) {}

  reset(): void {
    this.calls.length = 0;
    this.retries.length = 0;
    this.behaviour = { status: 'sent' };
    this.sendingState = OPEN_WINDOW;
    this.sequence = 0;
  }

  async getSendingState(conversationId: string): Promise<TiktokSendingState> {
    void conversationId;
    return this.sendingState;
  }

  async send(input: SendInput): Promise<SendOutcome> {
    this.calls.push(input);
    const behaviour = this.behaviour;
    if (behaviour.status === 'throw') throw new Error('messenger exploded');
    if (behaviour.status === 'failed') {
      await this.port.updateMessageStatus({
        messageId: input.messageId,
        status: 'failed',
        reason: behaviour.reason,
        at: new Date(),
      });
      return { status: 'failed', reason: behaviour.reason, detail: 'refused by the fake' };
    }
    const tiktokMessageId = `tt_out_${++this.sequence}`;
    await this.port.updateMessageStatus({
      messageId: input.messageId,
      status: 'sent',
      tiktokMessageId,
      at: new Date(),
    });
    return { status: 'sent', tiktokMessageIds: [tiktokMessageId] };
  }

  async retry(input: { messageId: string }): Promise<SendOutcome> {
    this.retries.push(input.messageId);
    const tiktokMessageId = `tt_retry_${++this.sequence}`;
    await this.port.updateMessageStatus({
      messageId: input.messageId,
      status: 'sent',
      tiktokMessageId,
      at: new Date(),
    });
    return { status: 'sent', tiktokMessageIds: [tiktokMessageId] };
  }
}

/** Accounts as the library would list them, set by the test. */
export class FakeAccounts {
  accounts: Array<TiktokAccountView & { inboxId: string }> = [];

  async listByInboxIds(
    inboxIds: string[],
  ): Promise<Array<TiktokAccountView & { inboxId: string }>> {
    return this.accounts.filter((account) => inboxIds.includes(account.inboxId));
  }
}

/** The library's exported services, replaced by fakes, under the library's own injection tokens. */
@Global()
@Module({
  providers: [
    {
      provide: TiktokMessenger,
      inject: [DataSource, InboundAttachmentStore],
      useFactory: (dataSource: DataSource, attachments: InboundAttachmentStore) =>
        new FakeMessenger(new HelpdeskTiktokAdapter(dataSource, attachments)),
    },
    { provide: TiktokAccountsService, useClass: FakeAccounts },
  ],
  exports: [TiktokMessenger, TiktokAccountsService],
})
export class FakeTiktokModule {}
