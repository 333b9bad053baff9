import type { OutboundPartKind } from '../host/helpdesk-port';
import { splitText } from './messaging-rules';
import { OutboundRefusal } from './outbound-refusal';
import type { TiktokAttachment } from './send-input';

/** One TikTok message to record, before any of it is sent. */
export interface PlannedPart {
  kind: OutboundPartKind;
  /** TikTok's message_type for it. */
  messageType: 'TEXT' | 'IMAGE' | 'SHARE_POST';
  /** The text of a text or link part; empty for others. */
  body: string;
  attachmentIndex: number | null;
  referencedMessageId: string | null;
  shareItemId: string | null;
  /** For image parts: the attachment whose bytes are prepared before recording. */
  image?: TiktokAttachment;
}

/** `https://www.tiktok.com/@shop/video/7234567890123456789` (also m. and no www., query allowed). */
const TIKTOK_VIDEO_URL =
  /^https?:\/\/(?:www\.|m\.)?tiktok\.com\/@([A-Za-z0-9_.]+)\/video\/(\d+)(?:[/?#].*)?$/i;

/** What a video attachment can become on TikTok, which takes no video files. */
export type VideoRoute =
  | { kind: 'share_post'; itemId: string }
  | { kind: 'link'; url: string }
  | { kind: 'refused'; detail: string };

export function isVideo(attachment: TiktokAttachment): boolean {
  return (
    attachment.contentType.toLowerCase().startsWith('video/') ||
    attachment.tiktokItemId !== undefined ||
    (attachment.url !== undefined && TIKTOK_VIDEO_URL.test(attachment.url))
  );
}

/** Declared as an image, or declared as nothing in particular (the bytes will tell). */
export function isImage(attachment: TiktokAttachment): boolean {
  const type = attachment.contentType.toLowerCase().split(';')[0].trim();
  return type.startsWith('image/') || type === '' || type === 'application/octet-stream';
}

/**
 * A video of the business's own TikTok profile is shared as a post (SHARE_POST takes only the
 * business's posts); any other video needs a public URL, sent as a link; without one there is
 * nothing TikTok can carry.
 */
export function routeVideo(attachment: TiktokAttachment, businessUsername: string): VideoRoute {
  if (attachment.tiktokItemId !== undefined) {
    if (!/^\d{1,32}$/.test(attachment.tiktokItemId)) {
      return {
        kind: 'refused',
        detail: `${attachment.fileName}: ${attachment.tiktokItemId} is not a TikTok post id.`,
      };
    }
    return { kind: 'share_post', itemId: attachment.tiktokItemId };
  }
  const url = attachment.url;
  if (url !== undefined) {
    const post = TIKTOK_VIDEO_URL.exec(url);
    if (post && post[1].toLowerCase() === businessUsername.toLowerCase()) {
      return { kind: 'share_post', itemId: post[2] };
    }
    if (isPublicLink(url)) return { kind: 'link', url };
  }
  return {
    kind: 'refused',
    detail:
      `${attachment.fileName || 'The video'} cannot be sent: TikTok's messaging API takes no video files. ` +
      `Post it on the business's TikTok profile and share the post, or give a public link to it.`,
  };
}

function isPublicLink(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * Text and attachments become separate TikTok messages, in order: the text first (split when
 * long, the quote reply on its first part), then each attachment as the host listed them.
 */
export function planSend(input: {
  text: string;
  attachments: TiktokAttachment[];
  replyTo?: string;
  businessUsername: string;
}): PlannedPart[] {
  const parts: PlannedPart[] = [];
  const text = input.text.trim() === '' ? '' : input.text;
  if (input.replyTo !== undefined && text === '') {
    throw new OutboundRefusal(
      'invalid_content',
      'A reply to a specific message needs text: TikTok quotes only in text messages.',
    );
  }
  for (const [index, body] of (text ? splitText(text) : []).entries()) {
    parts.push({
      kind: 'text',
      messageType: 'TEXT',
      body,
      attachmentIndex: null,
      referencedMessageId: index === 0 ? (input.replyTo ?? null) : null,
      shareItemId: null,
    });
  }
  for (const [index, attachment] of input.attachments.entries()) {
    if (isVideo(attachment)) {
      const route = routeVideo(attachment, input.businessUsername);
      if (route.kind === 'refused') throw new OutboundRefusal('video_not_supported', route.detail);
      parts.push(
        route.kind === 'share_post'
          ? {
              kind: 'share_post',
              messageType: 'SHARE_POST',
              body: '',
              attachmentIndex: index,
              referencedMessageId: null,
              shareItemId: route.itemId,
            }
          : {
              kind: 'link',
              messageType: 'TEXT',
              body: route.url,
              attachmentIndex: index,
              referencedMessageId: null,
              shareItemId: null,
            },
      );
    } else if (isImage(attachment)) {
      parts.push({
        kind: 'image',
        messageType: 'IMAGE',
        body: '',
        attachmentIndex: index,
        referencedMessageId: null,
        shareItemId: null,
        image: attachment,
      });
    } else {
      throw new OutboundRefusal(
        'unsupported_media',
        `${attachment.fileName || 'The attachment'} (${attachment.contentType}) cannot be sent: TikTok messages carry text, images and the business's own posts.`,
      );
    }
  }
  return parts;
}
