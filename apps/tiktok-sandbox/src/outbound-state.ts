import { randomBytes } from 'node:crypto';
import { SandboxState } from './sandbox-state';

/** An image a business uploaded with media/upload; TikTok keeps it 30 days. */
export interface UploadedMedia {
  mediaId: string;
  businessId: string;
  contentType: 'image/jpeg' | 'image/png';
  bytes: Buffer;
  uploadedAt: number;
}

/** A post on the business's own TikTok profile: the only kind SHARE_POST may share. */
export interface BusinessPost {
  itemId: string;
  businessId: string;
  shareUrl: string;
  embedUrl: string;
  createdAt: number;
}

export interface SenderActionRecord {
  action: 'TYPING' | 'MARK_READ';
  at: number;
}

export const MEDIA_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * What the outbound side of TikTok knows beyond conversations: uploaded media, the businesses'
 * posts, who may receive images, and the sender actions each conversation saw. Cleared with the
 * rest of the sandbox by `POST /sandbox/reset`.
 */
export class OutboundState {
  media = new Map<string, UploadedMedia>();
  posts = new Map<string, BusinessPost>();
  /** Users who cannot receive images (IMAGE_SEND is region-limited on TikTok); others can. */
  imageSendDisabled = new Set<string>();
  senderActions = new Map<string, SenderActionRecord[]>();

  constructor(private readonly state: SandboxState) {
    state.resetHooks.push(() => this.reset());
  }

  reset(): void {
    this.media.clear();
    this.posts.clear();
    this.imageSendDisabled.clear();
    this.senderActions.clear();
  }

  storeMedia(businessId: string, contentType: UploadedMedia['contentType'], bytes: Buffer) {
    const media: UploadedMedia = {
      mediaId: `media_${randomBytes(10).toString('hex')}`,
      businessId,
      contentType,
      bytes,
      uploadedAt: this.state.now(),
    };
    this.media.set(media.mediaId, media);
    return media;
  }

  /** A post of the business, with the URL TikTok shows for it (`/@username/video/<item id>`). */
  addPost(businessId: string, username: string): BusinessPost {
    // TikTok item ids are 19-digit numbers.
    const itemId = `7${BigInt(`0x${randomBytes(8).toString('hex')}`)
      .toString()
      .padStart(18, '0')
      .slice(0, 18)}`;
    const post: BusinessPost = {
      itemId,
      businessId,
      shareUrl: `https://www.tiktok.com/@${username}/video/${itemId}`,
      embedUrl: `https://www.tiktok.com/embed/v2/${itemId}`,
      createdAt: this.state.now(),
    };
    this.posts.set(itemId, post);
    return post;
  }

  recordSenderAction(conversationId: string, action: SenderActionRecord['action']): void {
    const list = this.senderActions.get(conversationId) ?? [];
    list.push({ action, at: this.state.now() });
    this.senderActions.set(conversationId, list);
  }
}
