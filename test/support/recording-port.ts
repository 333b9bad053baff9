import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type {
  ConversationNote,
  EchoMessage,
  InboundAttachmentUpload,
  InboundMessage,
  MessageReaction,
  TiktokAccountStatus,
  TiktokHelpdeskPort,
} from '../../libs/tiktok-channel/src';

export interface StoredAttachment {
  kind: InboundAttachmentUpload['kind'];
  contentType: string;
  fileName: string;
  declaredSize?: number;
  bytes: Buffer;
}

type PortCall = { method: keyof TiktokHelpdeskPort; args: unknown };

/**
 * A minimal, idempotent host that records every call, so library tests can assert exactly what
 * the library asked of the host (the demo helpdesk would hide some mistakes behind its own keys).
 */
@Injectable()
export class RecordingPort implements TiktokHelpdeskPort {
  static instances: RecordingPort[] = [];
  /** Every appendMessage call of every instance, in call order: one host seen by many processes. */
  static appendLog: Array<InboundMessage | EchoMessage> = [];
  readonly calls: PortCall[] = [];
  readonly messages = new Map<string, { id: string; message: InboundMessage | EchoMessage }>();
  readonly statuses: Array<{ messageId: string; status: string; reason?: string }> = [];
  readonly accountStatuses: Array<{ inboxId: string; status: TiktokAccountStatus }> = [];
  private readonly contacts = new Map<string, string>();
  private readonly conversations = new Map<string, string>();
  /** Makes the next n appendMessage calls throw, as a host outage would. */
  failNextAppends = 0;
  /** appendMessage throws for these TikTok message ids, until removed. */
  readonly failingMessageIds = new Set<string>();
  /** While set, appendMessage waits for it: a slow host holding processing's connections. */
  appendGate: Promise<void> | null = null;
  /** appendMessage calls waiting at the gate. */
  waitingAtGate = 0;
  /** storeAttachment throws this many times, as a host's storage outage would. */
  failNextStores = 0;
  readonly attachments = new Map<string, StoredAttachment>();
  readonly reactions: MessageReaction[] = [];
  readonly notes = new Map<string, ConversationNote>();

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
    RecordingPort.appendLog.push(m);
    if (this.appendGate) {
      this.waitingAtGate++;
      await this.appendGate;
      this.waitingAtGate--;
    }
    if (this.failingMessageIds.has(m.tiktokMessageId)) {
      throw new Error(`host refuses ${m.tiktokMessageId}`);
    }
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

  /** Reads the stream like a host writing a file would, and refuses more than `maxBytes`. */
  async storeAttachment(a: InboundAttachmentUpload) {
    this.calls.push({ method: 'storeAttachment', args: { ...a, body: undefined } });
    if (this.failNextStores > 0) {
      this.failNextStores--;
      (a.body as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      throw new Error('host storage unavailable');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of a.body) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      size += bytes.length;
      if (size > a.maxBytes) throw new Error('attachment over maxBytes');
      chunks.push(bytes);
    }
    const key = `${a.tiktokMessageId}/${a.index}`;
    this.attachments.set(key, {
      kind: a.kind,
      contentType: a.contentType,
      fileName: a.fileName,
      declaredSize: a.declaredSize,
      bytes: Buffer.concat(chunks),
    });
    return { url: `/files/${encodeURIComponent(key)}`, size };
  }

  async applyReaction(r: MessageReaction) {
    this.calls.push({ method: 'applyReaction', args: r });
    this.reactions.push(r);
    return { applied: this.messages.has(r.tiktokMessageId) };
  }

  async appendNote(n: ConversationNote) {
    this.calls.push({ method: 'appendNote', args: n });
    this.notes.set(n.key, n);
  }

  appended(): Array<InboundMessage | EchoMessage> {
    return this.calls
      .filter((c) => c.method === 'appendMessage')
      .map((c) => c.args as InboundMessage | EchoMessage);
  }
}

/**
 * A recording host that also takes messages in batches (`appendMessages`), like the demo. A batch
 * holding a refused message (`failingMessageIds`) throws whole, as one failing statement would;
 * `failNextBatches` makes the next batches throw, as an outage of that statement would.
 */
@Injectable()
export class BatchingRecordingPort extends RecordingPort {
  failNextBatches = 0;

  async appendMessages(messages: Array<InboundMessage | EchoMessage>) {
    this.calls.push({ method: 'appendMessages', args: messages });
    if (this.failNextBatches > 0) {
      this.failNextBatches--;
      throw new Error('host batch statement failed');
    }
    const refused = messages.find((m) => this.failingMessageIds.has(m.tiktokMessageId));
    if (refused) throw new Error(`host refuses ${refused.tiktokMessageId}`);
    return messages.map((m) => {
      RecordingPort.appendLog.push(m);
      const existing = this.messages.get(m.tiktokMessageId);
      if (existing) return { messageId: existing.id, created: false };
      const id = randomUUID();
      this.messages.set(m.tiktokMessageId, { id, message: m });
      return { messageId: id, created: true };
    });
  }

  /** appendMessages calls, each as its TikTok message ids in order. */
  batches(): string[][] {
    return this.calls
      .filter((c) => c.method === 'appendMessages')
      .map((c) => (c.args as Array<InboundMessage | EchoMessage>).map((m) => m.tiktokMessageId));
  }
}
