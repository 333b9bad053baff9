import { newId } from './ids';
import { SampleFormat } from './sample-media';
import { PreparedWebhook, SandboxState } from './sandbox-state';
import { ReactionEvent, ReadReceiptEvent, ReferralEvent } from './webhook-events';

/** Media a person sent (an image or a video): fetched through media/download. */
export interface InboundMedia {
  mediaId: string;
  businessId: string;
  conversationId: string;
  messageId: string;
  kind: 'image' | 'video';
  format: SampleFormat;
  /** Bytes served; the sample's own size unless a large file was asked for. */
  size: number;
  /** False sends the bytes chunked, without a Content-Length (the client must count). */
  contentLength: boolean;
}

/** A download_url handed out by media/download: valid 24 hours, for the business's tokens. */
export interface DownloadLink {
  token: string;
  mediaId: string;
  businessId: string;
  expiresAt: number;
}

/** Which name conversation/list gives the last-update time (TikTok's docs show both). */
export type ConversationTimeField = 'update_time' | 'up_time' | 'both';

export const DOWNLOAD_URL_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * What the inbound half of TikTok knows beyond conversations: media people sent, the download
 * links handed out, reactions, read receipts and referrals, and the webhooks of those events
 * (for redelivery). Cleared with the rest by `POST /sandbox/reset`.
 */
export class InboundState {
  media = new Map<string, InboundMedia>();
  downloads = new Map<string, DownloadLink>();
  reactions = new Map<string, ReactionEvent[]>();
  readReceipts = new Map<string, ReadReceiptEvent[]>();
  referrals = new Map<string, ReferralEvent[]>();
  /** Webhooks of events that are not messages, by event id. */
  eventWebhooks = new Map<string, PreparedWebhook[]>();
  /** Stickers and emoji people sent: the sandbox's CDN serves these ids. */
  assets = new Set<string>();
  conversationTimeField: ConversationTimeField = 'update_time';

  constructor(private readonly state: SandboxState) {
    state.resetHooks.push(() => this.reset());
  }

  reset(): void {
    this.media.clear();
    this.downloads.clear();
    this.reactions.clear();
    this.readReceipts.clear();
    this.referrals.clear();
    this.eventWebhooks.clear();
    this.assets.clear();
    this.conversationTimeField = 'update_time';
  }

  addMedia(record: Omit<InboundMedia, 'mediaId'>): InboundMedia {
    const media = { mediaId: newId.media(), ...record };
    this.media.set(media.mediaId, media);
    return media;
  }

  issueDownload(mediaId: string, businessId: string): DownloadLink {
    const link: DownloadLink = {
      token: newId.downloadToken(),
      mediaId,
      businessId,
      expiresAt: this.state.now() + DOWNLOAD_URL_TTL_MS,
    };
    this.downloads.set(link.token, link);
    return link;
  }

  /** A sticker's or emoji's URL on the sandbox's CDN. */
  addAsset(kind: 'sticker' | 'emoji'): string {
    const id = newId.event(kind);
    this.assets.add(id);
    return `${this.state.baseUrl}/sandbox-cdn/assets/${id}.png`;
  }

  record<T>(book: Map<string, T[]>, conversationId: string, item: T): void {
    const list = book.get(conversationId) ?? [];
    list.push(item);
    book.set(conversationId, list);
  }
}
