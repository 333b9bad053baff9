import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type {
  EchoMessage,
  InboundMessage,
  TiktokAccountStatus,
  TiktokHelpdeskPort,
} from '../../libs/tiktok-channel/src';

type PortCall = { method: keyof TiktokHelpdeskPort; args: unknown };

/**
 * A minimal, idempotent host that records every call, so library tests can assert exactly what
 * the library asked of the host (the demo helpdesk would hide some mistakes behind its own keys).
 */
@Injectable()
export class RecordingPort implements TiktokHelpdeskPort {
  static instances: RecordingPort[] = [];
  readonly calls: PortCall[] = [];
  readonly messages = new Map<string, { id: string; message: InboundMessage | EchoMessage }>();
  readonly statuses: Array<{ messageId: string; status: string; reason?: string }> = [];
  readonly accountStatuses: Array<{ inboxId: string; status: TiktokAccountStatus }> = [];
  private readonly contacts = new Map<string, string>();
  private readonly conversations = new Map<string, string>();
  /** Makes the next n appendMessage calls throw, as a host outage would. */
  failNextAppends = 0;

  constructor() {
    RecordingPort.instances.push(this);
  }

  async upsertInbox(a: Parameters<TiktokHelpdeskPort['upsertInbox']>[0]) {
    this.calls.push({ method: 'upsertInbox', args: a });
    return { inboxId: a.inboxId ?? `inbox-${a.account.businessId}` };
  }

  async upsertContact(c: Parameters<TiktokHelpdeskPort['upsertContact']>[0]) {
    this.calls.push({ method: 'upsertContact', args: c });
    const key = `${c.inboxId}/${c.tiktokUserId}`;
    if (!this.contacts.has(key)) this.contacts.set(key, randomUUID());
    return { contactId: this.contacts.get(key) as string };
  }

  async openConversation(c: Parameters<TiktokHelpdeskPort['openConversation']>[0]) {
    this.calls.push({ method: 'openConversation', args: c });
    const key = `${c.inboxId}/${c.tiktokConversationId}`;
    const isNew = !this.conversations.has(key);
    if (isNew) this.conversations.set(key, randomUUID());
    return { conversationId: this.conversations.get(key) as string, isNew };
  }

  async appendMessage(m: InboundMessage | EchoMessage) {
    this.calls.push({ method: 'appendMessage', args: m });
    if (this.failNextAppends > 0) {
      this.failNextAppends--;
      throw new Error('host database unavailable');
    }
    const existing = this.messages.get(m.tiktokMessageId);
    if (existing) return { messageId: existing.id, created: false };
    const id = randomUUID();
    this.messages.set(m.tiktokMessageId, { id, message: m });
    return { messageId: id, created: true };
  }

  async updateMessageStatus(s: Parameters<TiktokHelpdeskPort['updateMessageStatus']>[0]) {
    this.calls.push({ method: 'updateMessageStatus', args: s });
    this.statuses.push({ messageId: s.messageId, status: s.status, reason: s.reason });
  }

  async onAccountStatus(s: Parameters<TiktokHelpdeskPort['onAccountStatus']>[0]) {
    this.calls.push({ method: 'onAccountStatus', args: s });
    this.accountStatuses.push({ inboxId: s.inboxId, status: s.status });
  }

  appended(): Array<InboundMessage | EchoMessage> {
    return this.calls
      .filter((c) => c.method === 'appendMessage')
      .map((c) => c.args as InboundMessage | EchoMessage);
  }
}
