import { BadRequestException } from '@nestjs/common';
import {
  field,
  messageText,
  optionalBoolean,
  optionalChoice,
  optionalNumber,
  optionalText,
} from './control-fields';
import { newId } from './ids';
import { InboundState } from './inbound-state';
import { Params, asParams } from './params';
import { SampleFormat } from './sample-media';
import { Conversation, InboundDetails, MessageItem, TemplateCard } from './sandbox-state';

/** The largest file a test may ask for: enough to cross any sensible byte cap. */
export const MAX_GENERATED_MEDIA_BYTES = 2 * 1024 * 1024 * 1024;

const KNOWN_TYPES = [
  'text',
  'image',
  'video',
  'sticker',
  'emoji',
  'share_post',
  'template',
] as const;

/** A message a person sends, read from a `POST /sandbox/messages` body. */
export interface InboundMessageDraft {
  text: string;
  item: MessageItem;
  /** Set for images and videos: the media is recorded once the message id is known. */
  media?: { kind: 'image' | 'video'; format: SampleFormat; size?: number; contentLength: boolean };
}

function readType(params: Params): string {
  const type = params.type ?? 'text';
  if (typeof type !== 'string' || !/^[a-z][a-z0-9_]{0,39}$/.test(type)) {
    throw new BadRequestException(
      `type must be one of ${KNOWN_TYPES.join(', ')}, or another lower-case type name (sent as a type TikTok added later)`,
    );
  }
  if (type === 'reaction') {
    throw new BadRequestException('a reaction is not a message: use POST /sandbox/reactions');
  }
  return type;
}

function readMedia(params: Params, kind: 'image' | 'video'): InboundMessageDraft['media'] {
  const media = asParams(params.media);
  const format =
    kind === 'video'
      ? 'mp4'
      : (optionalChoice(media, 'format', ['png', 'jpeg'], 'media.format') ?? 'png');
  if (kind === 'video' && media.format !== undefined && media.format !== 'mp4') {
    throw new BadRequestException('media.format of a video must be "mp4"');
  }
  const size = optionalNumber(media, 'size', 'media.size');
  if (
    size !== undefined &&
    (!Number.isInteger(size) || size < 1 || size > MAX_GENERATED_MEDIA_BYTES)
  ) {
    throw new BadRequestException(
      `media.size must be a whole number of bytes from 1 to ${MAX_GENERATED_MEDIA_BYTES}`,
    );
  }
  return {
    kind,
    format,
    size,
    contentLength: optionalBoolean(media, 'contentLength', 'media.contentLength') ?? true,
  };
}

function readTemplate(params: Params): TemplateCard {
  const template = asParams(params.template);
  const buttons = template.buttons ?? [{ text: 'Track my order', id: 'btn_track' }];
  if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3) {
    throw new BadRequestException('template.buttons must be a list of 1 to 3 buttons');
  }
  return {
    type: optionalText(template, 'type', 'template.type') ?? 'qa_button_card',
    title: optionalText(template, 'title', 'template.title') ?? 'How can we help?',
    buttons: buttons.map((button: unknown, index) => {
      const params = asParams(button);
      const label = `template.buttons[${index}]`;
      return {
        text: field(params, 'text', `${label}.text`),
        type: optionalText(params, 'type', `${label}.type`) ?? 'reply',
        id: optionalText(params, 'id', `${label}.id`) ?? `btn_${index + 1}`,
      };
    }),
  };
}

/** A TikTok video id: 19 digits, too long for a JSON number, so it always stays a string. */
function videoId(): string {
  return `7${Array.from({ length: 18 }, () => Math.floor(Math.random() * 10)).join('')}`;
}

/**
 * Reads what a person sends, by type; throws a 400 naming the field. The quoted message must be
 * in the same conversation.
 */
export function readInboundMessage(
  params: Params,
  conversation: Conversation,
  inbound: InboundState,
): InboundMessageDraft {
  const type = readType(params);
  const referencedMessageId = optionalText(params, 'referencedMessageId');
  if (
    referencedMessageId !== undefined &&
    !conversation.messages.some((message) => message.messageId === referencedMessageId)
  ) {
    throw new BadRequestException(
      `referencedMessageId ${referencedMessageId} is not a message of this conversation`,
    );
  }
  const quote = referencedMessageId ? { referencedMessageId } : {};
  switch (type) {
    case 'text': {
      const replySourcePayload = optionalText(params, 'replySourcePayload');
      return {
        text: messageText(params),
        item: {
          type,
          ...quote,
          ...(replySourcePayload !== undefined ? { inbound: { replySourcePayload } } : {}),
        },
      };
    }
    case 'image':
    case 'video':
      return { text: '', item: { type, ...quote }, media: readMedia(params, type) };
    case 'sticker':
    case 'emoji':
      return { text: '', item: { type, ...quote, inbound: { url: inbound.addAsset(type) } } };
    case 'share_post': {
      const withEmbedUrl = optionalBoolean(params, 'withEmbedUrl') ?? true;
      return {
        text: '',
        item: {
          type,
          ...quote,
          itemId: optionalText(params, 'videoId') ?? videoId(),
          inbound: { withEmbedUrl },
        },
      };
    }
    case 'template':
      return { text: '', item: { type, ...quote, inbound: { template: readTemplate(params) } } };
    default: {
      const payload = params.payload ?? {};
      return {
        text: optionalText(params, 'text') ?? '',
        item: { type, ...quote, inbound: { payload } },
      };
    }
  }
}

/** `isFollower` and `autoMessageType`, which any message may carry. */
export function readMessageFlags(params: Params): InboundDetails {
  const isFollower = optionalBoolean(params, 'isFollower');
  const autoMessageType = optionalText(params, 'autoMessageType');
  return {
    ...(isFollower !== undefined ? { isFollower } : {}),
    ...(autoMessageType !== undefined ? { autoMessageType } : {}),
  };
}

/** The id of a new message: all digits when its ids are to go out as JSON numbers. */
export function newMessageId(numeric: boolean): string {
  return numeric ? newId.numericMessage() : newId.message();
}
