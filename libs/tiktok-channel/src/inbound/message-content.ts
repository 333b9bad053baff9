import type { MessageAttachment } from '../host/helpdesk-port';
import { block, str } from './content-fields';

export interface HostContent {
  content: string;
  attachments: MessageAttachment[];
}

/**
 * Turns one TikTok message into what a helpdesk shows. Webhooks use lowercase types and the REST
 * history uppercase, so both are accepted. Unknown types become a readable placeholder rather than
 * being dropped: an agent should see that the person sent something.
 */
export function toHostContent(content: Record<string, unknown>): HostContent {
  const type = String(content.type ?? '').toLowerCase();
  switch (type) {
    case 'text':
      return { content: str(block(content, 'text').body) ?? '', attachments: [] };
    case 'image':
      return {
        content: '',
        attachments: [{ kind: 'image', tiktokMediaId: str(block(content, 'image').media_id) }],
      };
    case 'video':
      return {
        content: '',
        attachments: [{ kind: 'video', tiktokMediaId: str(block(content, 'video').media_id) }],
      };
    case 'sticker':
    case 'emoji':
      return { content: '', attachments: [{ kind: type, url: str(block(content, type).url) }] };
    case 'share_post': {
      const url = str(block(content, 'share_post').embed_url);
      return { content: url ?? '[Shared TikTok post]', attachments: [{ kind: 'share_post', url }] };
    }
    case 'template': {
      const elements = block(content, 'template').elements;
      const titles = Array.isArray(elements)
        ? elements
            .map((element) => str((element as Record<string, unknown>)?.title))
            .filter(Boolean)
        : [];
      return { content: titles.join('\n') || '[Template message]', attachments: [] };
    }
    default:
      return {
        content: `[Unsupported TikTok message type: ${type || 'unknown'}]`,
        attachments: [],
      };
  }
}
