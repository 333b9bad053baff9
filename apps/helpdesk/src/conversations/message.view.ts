import type {
  MessageAuthorKind,
  MessageDirection,
  MessageEntity,
  MessageStatus,
  StoredPart,
} from '../database/entities/message.entity';

/** A message as the REST API shows it. */
export interface MessageView {
  id: string;
  direction: MessageDirection;
  content: string;
  attachments: Array<{ kind: string; url: string | null; mimeType: string | null }>;
  status: MessageStatus;
  failureReason: string | null;
  /** The library's sentence for the agent when the reply failed. */
  failureDetail: string | null;
  externalId: string | null;
  sentAt: string | null;
  /** A reply's TikTok messages with their own status and reason; empty for received messages. */
  parts: StoredPart[];
  /**
   * Who wrote an outgoing message: an agent (with their name), an automation (`auto_reply`,
   * `csat`), or the business in TikTok itself (`tiktok`, with `sentFrom`). Null for the customer's.
   */
  author: { kind: MessageAuthorKind; userId: string | null; name: string | null } | null;
  /** For `author.kind` `tiktok`: where it was typed (`tiktok_app`, `tiktok_web`, `api`, `other`). */
  sentFrom: string | null;
}

export function toMessageView(message: MessageEntity): MessageView {
  return {
    id: message.id,
    direction: message.direction,
    content: message.content,
    // TikTok media ids stay inside the helpdesk: the page only needs something to show.
    attachments: message.attachments.map((a) => ({
      kind: a.kind,
      url: a.url ?? null,
      mimeType: a.mimeType ?? null,
    })),
    status: message.status,
    failureReason: message.failureReason,
    failureDetail: message.failureDetail,
    externalId: message.externalId,
    sentAt: message.sentAt?.toISOString() ?? null,
    parts: message.parts,
    author: message.authorKind
      ? { kind: message.authorKind, userId: message.authorUserId, name: message.authorName }
      : null,
    sentFrom: message.sentFrom,
  };
}
