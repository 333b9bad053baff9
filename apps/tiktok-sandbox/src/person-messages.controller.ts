import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  Inject,
  Param,
  Post,
} from '@nestjs/common';
import { field, optionalBoolean, optionalChoice, optionalNumber } from './control-fields';
import { businessOf, checkNumericIds, personOf } from './control-lookups';
import { WebhookDispatch, dispatchWebhooks } from './event-dispatch';
import { newMessageId, readInboundMessage, readMessageFlags } from './inbound-message-builder';
import { ConversationTimeField, InboundState } from './inbound-state';
import { SandboxConfig } from './options';
import { asParams } from './params';
import { SampleMedia } from './sample-media';
import { SANDBOX_CONFIG } from './sandbox-config.token';
import { PreparedWebhook, SandboxState } from './sandbox-state';
import { WebhookDelivery } from './webhook-delivery';
import { eeaMessageWebhook, messageWebhook } from './webhook-events';
import { readWireShape } from './wire-shape';

export interface CreatedMessage {
  conversationId: string;
  messageId: string;
  webhook: WebhookDispatch;
  /** The events sent for it: `im_receive_msg`, `im_receive_msg_eu`, or both. */
  events: string[];
  /** An image's or video's media id (fetch it with media/download). */
  mediaId?: string;
  /** A sticker's or emoji's URL. */
  url?: string;
}

type Delivery = 'normal' | 'eea' | 'both';

/**
 * What TikTok people write: every message type, each call able to vary the wire shape (`wire`)
 * the way real TikTok does; where they live (EEA or not); and how conversation/list names its
 * time. Not part of TikTok's API.
 */
@Controller('sandbox')
export class PersonMessagesController {
  constructor(
    @Inject(SANDBOX_CONFIG) private readonly config: SandboxConfig,
    private readonly state: SandboxState,
    private readonly inbound: InboundState,
    private readonly delivery: WebhookDelivery,
    private readonly samples: SampleMedia,
  ) {}

  /** A TikTok person writes to a business; the first message opens the conversation. */
  @Post('messages')
  userWrites(@Body() body: unknown): CreatedMessage {
    const params = asParams(body);
    const user = personOf(this.state, field(params, 'fromUserId'));
    const business = businessOf(this.state, field(params, 'toBusinessId'));
    const wire = readWireShape(params.wire);
    checkNumericIds(wire, user);
    const deliver =
      optionalChoice<Delivery>(params, 'deliver', ['normal', 'eea', 'both']) ??
      (user.eea ? 'eea' : 'normal');
    const timestamp = optionalNumber(params, 'timestamp');

    // Validate everything before the conversation opens: a refused call leaves nothing behind.
    const existing = this.state.conversationBetween(business.openId, user.userId);
    const draft = readInboundMessage(
      params,
      existing ?? { conversationId: '', businessId: '', userId: '', messages: [] },
      this.inbound,
    );
    const flags = readMessageFlags(params);
    const conversation = this.state.openConversation(business.openId, user.userId);
    const messageId = newMessageId(wire.ids === 'number');
    const media = draft.media
      ? this.inbound.addMedia({
          businessId: business.openId,
          conversationId: conversation.conversationId,
          messageId,
          kind: draft.media.kind,
          format: draft.media.format,
          size: draft.media.size ?? this.samples.bytes(draft.media.format).length,
          contentLength: draft.media.contentLength,
        })
      : undefined;
    const message = this.state.addMessage(conversation, 'user', draft.text, timestamp, {
      ...draft.item,
      ...(Object.keys(flags).length ? { inbound: { ...draft.item.inbound, ...flags } } : {}),
      messageId,
      ...(media ? { mediaId: media.mediaId } : {}),
    });

    const webhooks: PreparedWebhook[] = [];
    if (deliver !== 'eea') {
      webhooks.push(messageWebhook(this.config, business, user, message, 'API', wire));
    }
    if (deliver !== 'normal')
      webhooks.push(eeaMessageWebhook(this.config, business, message, wire));
    message.webhooks = webhooks;
    return {
      conversationId: conversation.conversationId,
      messageId: message.messageId,
      webhook: dispatchWebhooks(this.delivery, business, webhooks),
      events: webhooks.map((webhook) => webhook.event),
      ...(media ? { mediaId: media.mediaId } : {}),
      ...(message.inbound?.url ? { url: message.inbound.url } : {}),
    };
  }

  /** Marks a person as living in the EEA, Switzerland or the UK (or not). */
  @Post('users/:userId/region')
  @HttpCode(200)
  setRegion(
    @Param('userId') userId: string,
    @Body() body: unknown,
  ): { userId: string; eea: boolean } {
    const user = personOf(this.state, userId);
    const eea = optionalBoolean(asParams(body), 'eea');
    if (eea === undefined) throw new BadRequestException('eea must be a boolean');
    user.eea = eea;
    return { userId, eea };
  }

  /** Which name conversation/list gives the update time: `update_time`, `up_time` or both. */
  @Post('conversation-list')
  @HttpCode(200)
  setConversationList(@Body() body: unknown): { timeField: ConversationTimeField } {
    const timeField = optionalChoice<ConversationTimeField>(asParams(body), 'timeField', [
      'update_time',
      'up_time',
      'both',
    ]);
    if (!timeField) throw new BadRequestException('timeField is required');
    this.inbound.conversationTimeField = timeField;
    return { timeField };
  }
}
