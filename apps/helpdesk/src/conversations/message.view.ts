import type {
  MessageAuthorKind,
  MessageDirection,
  MessageEntity,
  MessageStatus,
  StoredAttachment,
  StoredPart,
} from '../database/entities/message.entity';
import type { ReactedBy } from '../database/entities/message-reaction.entity';

/** An attachment as the REST API shows it; `url` serves the bytes (or links the shared post). */
export interface AttachmentView {
  kind: string;
  url: string | null;
  /** Kept for clients written before `contentType`; the same value when both are known. */
  mimeType: string | null;
  contentType: string | null;
  /** Bytes stored, when the helpdesk keeps them. */
  size: number | null;
  fileName: string | null;
  /** `share_post`: TikTok's id of the shared video. */
  videoId: string | null;
  /** Why there are no bytes to show (download refused, over the size cap). */
  unavailableReason: string | null;
}

/** A reaction currently on a message. */
export interface ReactionView {
  emoji: string;
  by: ReactedBy;
  at: string;
}

/** The message a reply quotes; `messageId` and `content` are null when the helpdesk never got it. */
export interface ReplyToView {
  externalId: string;
  messageId: string | null;
  content: string | null;
}

/** A message as the REST API shows it. */
export interface MessageView {
  id: string;
  direction: MessageDirection;
  content: string;
  attachments: AttachmentView[];
  status: MessageStatus;
  failureReason: string | null;
  /** The library's sentence for the agent when the reply failed. */
  failureDetail: string | null;
  externalId: string | null;
  sentAt: string | null;
  /** A reply's TikTok messages with their own status and reason; empty for received messages. */
  parts: StoredPart[];
  /** TikTok's type (`text`, `image`, `video`, `sticker`, `share_post`, ... or one we do not know). */
  tiktokType: string | null;
  /** Reactions on this message now, oldest first. */
  reactions: ReactionView[];
  replyTo: ReplyToView | null;
  isFollower: boolean | null;
  autoMessageType: string | null;
  /**
   * Who wrote an outgoing message: an agent (with their name), an automation (`auto_reply`,
   * `csat`), or the business in TikTok itself (`tiktok`, with `sentFrom`). Null for the customer's.
   */
  author: { kind: MessageAuthorKind; userId: string | null; name: string | null } | null;
  /** For `author.kind` `tiktok`: where it was typed (`tiktok_app`, `tiktok_web`, `api`, `other`). */
  sentFrom: string | null;
}

/** What the view needs from other rows: the message's reactions and the message it quotes. */
export interface MessageRelations {
  reactions?: ReactionView[];
  replyTo?: ReplyToView | null;
}

export function toMessageView(message: MessageEntity, related: MessageRelations = {}): MessageView {
  return {
    id: message.id,
    direction: message.direction,
    content: message.content,
    // TikTok media ids stay inside the helpdesk: the page only needs something to show.
    attachments: message.attachments.map(toAttachmentView),
    status: message.status,
    failureReason: message.failureReason,
    failureDetail: message.failureDetail,
    externalId: message.externalId,
    sentAt: message.sentAt?.toISOString() ?? null,
    parts: message.parts,
    tiktokType: message.tiktokType,
    reactions: related.reactions ?? [],
    replyTo:
      related.replyTo ??
      (message.replyToExternalId
        ? { externalId: message.replyToExternalId, messageId: null, content: null }
        : null),
    isFollower: message.isFollower,
    autoMessageType: message.autoMessageType,
    author: message.authorKind
      ? { kind: message.authorKind, userId: message.authorUserId, name: message.authorName }
      : null,
    sentFrom: message.sentFrom,
  };
}

function toAttachmentView(a: StoredAttachment): AttachmentView {
  const contentType = a.contentType ?? a.mimeType ?? null;
  return {
    kind: a.kind,
    url: a.url ?? null,
    mimeType: a.mimeType ?? contentType,
    contentType,
    size: a.size ?? null,
    fileName: a.fileName ?? null,
    videoId: a.videoId ?? null,
    unavailableReason: a.unavailableReason ?? null,
  };
}
