import type { Readable } from 'node:stream';
import type { FailureReason, OutboundPartStatus } from '../host/helpdesk-port';

/**
 * A file the agent attached. Give its content one way: `bytes`, a `stream`, or a `url` the library
 * downloads (images). A video is never uploaded (TikTok takes no video files): it goes out as
 * SHARE_POST when it is one of the business's own TikTok posts (`tiktokItemId`, or its TikTok URL
 * in `url`), as a link when `url` is any other public URL, and is refused as
 * `video_not_supported` otherwise.
 */
export interface TiktokAttachment {
  /** MIME type as the host knows it (`image/webp`, `video/mp4`). Images are recognised by their bytes. */
  contentType: string;
  fileName: string;
  bytes?: Buffer | Uint8Array;
  stream?: Readable;
  /** An image to download, or a video's public link (or its TikTok URL). */
  url?: string;
  /** A post the business published on TikTok (its item id): sent as SHARE_POST. */
  tiktokItemId?: string;
}

export interface SendInput {
  /** The host's conversation id (as returned by `openConversation`). */
  conversationId: string;
  /** The host's message id; sending the same id again never sends twice (it retries failed parts). */
  messageId: string;
  /** The text. Over 6,000 characters it is split at paragraph, sentence, then word boundaries. */
  text?: string;
  /** The text, under its first name: still accepted, `text` wins when both are given. */
  content?: string;
  /** Sent after the text, each as its own TikTok message, in this order. */
  attachments?: TiktokAttachment[];
  /**
   * The TikTok message id of the customer's message this one answers: sent as a quote reply
   * (`referenced_message_info`) on the first text part. Needs text.
   */
  replyTo?: string;
}

/**
 * What became of a send. `failed` with `refused: true` means a rule stopped it before anything was
 * recorded or sent. `pending` means delivery goes on in the background; its outcome reaches the
 * port (`updateMessageStatus`) and the events (`tiktok.message.sent` / `.failed`).
 */
export type SendOutcome =
  | { status: 'sent'; tiktokMessageIds: string[]; parts?: OutboundPartStatus[] }
  | {
      status: 'failed';
      reason: FailureReason;
      detail: string;
      refused?: true;
      parts?: OutboundPartStatus[];
    }
  | { status: 'pending'; parts: OutboundPartStatus[] };

export interface RetryInput {
  /** The host message whose failed parts are sent again, in order. */
  messageId: string;
}

export interface SenderActionInput {
  conversationId: string;
}

export type SenderActionOutcome =
  { status: 'sent' } | { status: 'failed'; reason: FailureReason; detail: string };

/** Whether an agent can write in a conversation now, for a composer to show. */
export interface TiktokSendingState {
  canSend: boolean;
  /** Why not, when `canSend` is false. */
  reason?: FailureReason;
  detail?: string;
  /** When the 48-hour window after the customer's last message ends (null: they never wrote). */
  replyWindowEndsAt: Date | null;
  /** TikTok messages that may still go out before the customer writes again. */
  remainingMessages: number;
  /** Whether the customer can receive images, as last known (`unknown` until asked). */
  imageSend: boolean | 'unknown';
}
