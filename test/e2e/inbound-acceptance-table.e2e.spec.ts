import sharp from 'sharp';
import { eventually, followRedirects, startHarness, type Harness } from '../support/e2e-harness';
import { HelpdeskClient, type ConversationDto, type MessageDto } from '../support/helpdesk-client';
import { SandboxControl } from '../support/sandbox-control';
import { SandboxInbound, type WireShape } from '../support/sandbox-inbound';

/*
 * Issue 6's acceptance table: every inbound type, in every wire shape TikTok uses (webhook or
 * REST casing, `content` as a string or an object, ids as numbers or strings, timestamps in
 * seconds or milliseconds), goes sandbox → webhook → library → demo host, and lands exactly once
 * as one readable message, attachment, reaction or note, checked through the demo's REST API.
 *
 * "Exactly once" is proven without waiting on a clock: once the event under test has landed, the
 * same customer sends a plain text marker; the library keeps a conversation's order, so once the
 * marker is in the helpdesk, any redelivery before it has been processed too, and the
 * conversation must hold the expected items and the marker, nothing more. (The event is awaited
 * first because webhooks, TikTok's and the sandbox's, may arrive out of order.)
 */

interface Combination {
  casing: 'webhook' | 'rest';
  content: 'string' | 'object';
  ids: 'string' | 'number';
  timestamps: 's' | 'ms';
}

const combinations: Combination[] = [];
for (const casing of ['webhook', 'rest'] as const)
  for (const content of ['string', 'object'] as const)
    for (const ids of ['string', 'number'] as const)
      for (const timestamps of ['ms', 's'] as const)
        combinations.push({ casing, content, ids, timestamps });

const MARKER = 'marker: the event before me was processed';
const DAY_MS = 24 * 60 * 60 * 1000;

interface World {
  h: Harness;
  helpdesk: HelpdeskClient;
  inbound: SandboxInbound;
  inboxId: string;
  businessId: string;
}

interface Landed {
  conversation: ConversationDto;
  messages: MessageDto[];
  /** The message under test (absent for a referral, which is a note). */
  message?: MessageDto;
  userId: string;
  sent: { messageId?: string; videoId?: string };
}

/** One inbound type: how the customer sends it, and what the helpdesk must show for it. */
interface InboundType {
  name: string;
  /** The sandbox's `type` (default: the name). */
  sandboxType?: string;
  /** A message of this type (default), a reaction to a text, or a referral (a note). */
  shape?: 'message' | 'reaction' | 'referral';
  fields?: Record<string, unknown>;
  check(world: World, landed: Landed): Promise<void>;
}

async function servedBytes(world: World, url: string | null, size?: number | null) {
  expect(url).toEqual(expect.any(String));
  const served = await world.helpdesk.attachment(url as string);
  expect(served.status).toBe(200);
  if (typeof size === 'number') expect(served.bytes.length).toBe(size);
  return served;
}

const types: InboundType[] = [
  {
    name: 'text',
    fields: { text: 'Is the blue one in stock?' },
    check: async (_world, { message }) => {
      expect(message?.content).toBe('Is the blue one in stock?');
    },
  },
  {
    name: 'image',
    fields: { media: { format: 'png' } },
    check: async (world, { message }) => {
      expect(message?.attachments).toHaveLength(1);
      const [image] = message!.attachments;
      expect(image).toMatchObject({ kind: 'image', contentType: 'image/png' });
      const served = await servedBytes(world, image.url, image.size);
      expect(served.contentType).toBe('image/png');
      expect(await sharp(served.bytes).metadata()).toMatchObject({ format: 'png', width: 64 });
    },
  },
  {
    name: 'video',
    check: async (world, { message }) => {
      expect(message?.attachments).toHaveLength(1);
      const [video] = message!.attachments;
      expect(video).toMatchObject({ kind: 'video', contentType: 'video/mp4' });
      const served = await servedBytes(world, video.url, video.size);
      expect(served.contentType).toBe('video/mp4');
      expect(served.bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
    },
  },
  {
    name: 'sticker',
    check: async (world, { message }) => {
      expect(message?.attachments).toHaveLength(1);
      const [sticker] = message!.attachments;
      expect(sticker.kind).toBe('sticker');
      const served = await servedBytes(world, sticker.url);
      expect(served.contentType).toMatch(/^image\/png/);
    },
  },
  {
    name: 'emoji',
    check: async (world, { message }) => {
      expect(message?.attachments).toHaveLength(1);
      const [emoji] = message!.attachments;
      expect(emoji.kind).toBe('emoji');
      const served = await servedBytes(world, emoji.url);
      expect(served.contentType).toMatch(/^image\/png/);
    },
  },
  {
    name: 'share_post',
    fields: { videoId: '7301234567890123456' },
    check: async (_world, { message }) => {
      expect(message?.attachments).toEqual([
        expect.objectContaining({
          kind: 'share_post',
          videoId: '7301234567890123456',
          url: expect.stringMatching(/^https?:\/\//),
        }),
      ]);
    },
  },
  {
    name: 'share_post with only a video_id',
    sandboxType: 'share_post',
    fields: { videoId: '7301234567890123457', withEmbedUrl: false },
    check: async (_world, { message }) => {
      expect(message?.attachments).toEqual([
        expect.objectContaining({
          kind: 'share_post',
          videoId: '7301234567890123457',
          url: expect.stringMatching(/^https?:\/\/.*7301234567890123457/),
        }),
      ]);
    },
  },
  {
    name: 'template',
    fields: {
      template: { title: 'How can we help?', buttons: [{ text: 'Track my order' }] },
    },
    check: async (_world, { message }) => {
      expect(message?.content).toContain('How can we help?');
      expect(message?.content).toContain('Track my order');
    },
  },
  {
    name: 'a type TikTok added later',
    sandboxType: 'hologram',
    fields: { payload: { depth: 3 } },
    check: async (_world, { message }) => {
      expect(message?.tiktokType).toBe('hologram');
    },
  },
  {
    name: 'reaction',
    shape: 'reaction',
    check: async (_world, { messages }) => {
      // The reacted-to text, then the marker: the reaction is on the text, not a message.
      expect(messages[0].reactions).toEqual([
        { emoji: '🔥', by: 'customer', at: expect.any(String) },
      ]);
      expect(messages[1].reactions).toEqual([]);
    },
  },
  {
    name: 'referral',
    shape: 'referral',
    check: async (world, { conversation }) => {
      const notes = await world.helpdesk.notes(conversation.id);
      expect(notes).toEqual([
        expect.objectContaining({ kind: 'referral', text: expect.any(String) }),
      ]);
    },
  },
];

const table = types.flatMap((type) =>
  combinations.map((wire) => ({
    label: `${type.name} · ${wire.casing} casing · content as ${wire.content} · ids as ${wire.ids}s · timestamps in ${wire.timestamps}`,
    type,
    wire,
  })),
);

describe('Every inbound type in every wire shape lands once, readable, in the demo host', () => {
  const world = {} as World;
  let counter = 0;

  beforeAll(async () => {
    world.h = await startHarness();
    world.helpdesk = new HelpdeskClient(world.h.url);
    world.inbound = new SandboxInbound(world.h.sandbox.url);
    await new SandboxControl(world.h.sandbox.url).queueConsent('tableshop', 'business', 'approve');
    await followRedirects(`${world.h.url}/tiktok/oauth/authorize`);
    const [inbox] = await world.helpdesk.inboxes();
    world.inboxId = inbox.id;
    world.businessId = inbox.channel.businessId;
  });

  afterAll(async () => {
    await world.h?.close();
  });

  async function conversationOf(userId: string): Promise<ConversationDto | undefined> {
    const conversations = await world.helpdesk.conversations(world.inboxId);
    return conversations.find((c) => c.contact.tiktokUserId === userId);
  }

  /**
   * Sends the marker and waits for it: the library keeps a conversation's order, so anything the
   * event made would be in before it.
   */
  async function markerLanded(userId: string): Promise<{
    conversation: ConversationDto;
    messages: MessageDto[];
  }> {
    const marker = await world.inbound.send({
      fromUserId: userId,
      toBusinessId: world.businessId,
      type: 'text',
      text: MARKER,
    });
    return eventually(async () => {
      const conversation = await conversationOf(userId);
      if (!conversation) return false;
      const messages = await world.helpdesk.messages(conversation.id);
      return messages.some((m) => m.externalId === marker.messageId)
        ? { conversation, messages }
        : false;
    }, 'the marker to land');
  }

  it.each(table)('$label', async ({ type, wire }) => {
    const shape: WireShape = wire;
    const userId = await world.inbound.createUser(`table${++counter}`, {
      numericId: wire.ids === 'number',
    });
    // Ids as JSON numbers need an all-digit id: proof the sandbox took the option.
    if (wire.ids === 'number') expect(userId).toMatch(/^\d+$/);
    const base = { fromUserId: userId, toBusinessId: world.businessId };
    let sent: Landed['sent'] = {};
    let expectedMessages: number;

    if (type.shape === 'reaction') {
      // The customer reacts to a message they see: it is in the helpdesk first. (Sent at once,
      // a reaction in seconds can sort before the conversation's first message, in milliseconds.)
      const target = await world.inbound.send({ ...base, type: 'text', text: 'React to me' });
      await eventually(
        async () => (await conversationOf(userId)) !== undefined,
        'the reacted-to message to open the conversation',
      );
      await world.inbound.react({ messageId: target.messageId, emoji: '🔥', wire: shape });
      sent = { messageId: target.messageId };
      expectedMessages = 2;
    } else if (type.shape === 'referral') {
      await world.inbound.refer({ ...base, adId: 'ad_42', adName: 'Winter sale', wire: shape });
      expectedMessages = 1;
    } else {
      const message = await world.inbound.send({
        ...base,
        type: type.sandboxType ?? type.name,
        ...type.fields,
        wire: shape,
      });
      sent = { messageId: message.messageId };
      expectedMessages = 2;
    }

    // The sandbox's webhooks may reach the helpdesk in any order, as TikTok's do: wait for the
    // event itself first, so the marker sent next proves nothing more arrives from it.
    await eventually(async () => {
      const conversation = await conversationOf(userId);
      if (!conversation) return false;
      if (type.shape === 'referral')
        return (await world.helpdesk.notes(conversation.id)).length > 0;
      const messages = await world.helpdesk.messages(conversation.id);
      const landed = messages.find((m) => m.externalId === sent.messageId);
      return type.shape === 'reaction'
        ? (landed?.reactions?.length ?? 0) > 0
        : landed !== undefined;
    }, `the ${type.name} to land`);
    const { conversation, messages } = await markerLanded(userId);

    expect(conversation.contact.tiktokUserId).toBe(userId);
    expect(messages).toHaveLength(expectedMessages);
    expect(messages.at(-1)?.content).toBe(MARKER);
    const message = sent.messageId
      ? messages.find((m) => m.externalId === sent.messageId)
      : undefined;
    if (sent.messageId) {
      expect(message).toMatchObject({ direction: 'incoming', externalId: sent.messageId });
      // Seconds or milliseconds, the message is dated now, not in 1970 or in the far future.
      expect(Math.abs(Date.parse(message!.sentAt) - Date.now())).toBeLessThan(DAY_MS);
    }
    await type.check(world, { conversation, messages, message, userId, sent });
  });
});
