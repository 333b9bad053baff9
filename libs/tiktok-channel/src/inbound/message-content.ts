import type { MessageAttachment } from '../host/helpdesk-port';
import { block, str } from './content-fields';

export interface HostContent {
  content: string;
  attachments: MessageAttachment[];
  /** Set for a type the library does not know: the content as TikTok sent it. */
  raw?: Record<string, unknown>;
}

/** The link of a TikTok video known only by id (TikTok's embeddable player needs no username). */
export function tiktokVideoUrl(videoId: string): string {
  return `https://www.tiktok.com/embed/v2/${encodeURIComponent(videoId)}`;
}

/**
 * Turns one TikTok message into what a helpdesk shows. Webhooks use lowercase types and the REST
 * history uppercase, so both are accepted. Images and videos carry TikTok's media id here; the
 * bytes are fetched separately (`InboundMedia`). Unknown types become a readable placeholder with
 * the raw content: an agent should see that the person sent something, and where to look.
 */
export function toHostContent(content: Record<string, unknown>): HostContent {
  const type = (str(content.type) ?? '').toLowerCase();
  switch (type) {
    case 'text':
      return { content: str(block(content, 'text').body) ?? '', attachments: [] };
    case 'image':
    case 'video':
      return {
        content: '',
        attachments: [{ kind: type, tiktokMediaId: str(block(content, type).media_id) }],
      };
    case 'sticker':
    case 'emoji': {
      const url = str(block(content, type).url);
      return { content: '', attachments: [{ kind: type, ...(url ? { url } : {}) }] };
    }
    case 'share_post': {
      const post = block(content, 'share_post');
      const videoId = str(post.video_id) ?? str(post.item_id);
      const url = str(post.embed_url) ?? (videoId ? tiktokVideoUrl(videoId) : undefined);
      return {
        content: url ?? '[Shared TikTok post]',
        attachments: [
          { kind: 'share_post', ...(url ? { url } : {}), ...(videoId ? { videoId } : {}) },
        ],
      };
    }
    case 'template':
      return { content: templateText(block(content, 'template')), attachments: [] };
    default:
      return {
        content: `[A TikTok ${type || 'message'} that cannot be shown here: open the conversation in TikTok to see it]`,
        attachments: [],
        raw: content,
      };
  }
}

/** Titles and button labels, one element per line: what the person saw, readable as text. */
function templateText(template: Record<string, unknown>): string {
  const elements = Array.isArray(template.elements) ? template.elements : [];
  const lines: string[] = [];
  for (const element of elements) {
    if (typeof element !== 'object' || element === null) continue;
    const record = element as Record<string, unknown>;
    const title = str(record.title);
    const buttons = Array.isArray(record.buttons)
      ? record.buttons
          .map((button) => str((button as Record<string, unknown> | null)?.text))
          .filter((text): text is string => text !== undefined)
      : [];
    const line = [title, ...buttons.map((text) => `[${text}]`)].filter(Boolean).join(' ');
    if (line) lines.push(line);
  }
  return lines.join('\n') || str(template.title) || '[Template message]';
}
