import sharp from 'sharp';
import { TiktokMessenger, type SendOutcome } from '../../libs/tiktok-channel/src';
import { startLibraryHost, type LibraryHost } from '../support/library-host';
import {
  connectBusiness,
  customerWrites,
  type ConnectedBusiness,
  type OpenConversation,
} from '../support/outbound-world';
import { SandboxOutbound } from '../support/sandbox-outbound';

const MB = 1024 * 1024;

function solid(width: number, height: number, format: 'png' | 'jpeg'): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#3a7' } })
    [format]()
    .toBuffer();
}

/** Lossless WebP of noise: about 5.6 MB at 1600×1200, far over TikTok's 3 MB and not a JPG/PNG. */
function noisyWebp(width: number, height: number): Promise<Buffer> {
  return sharp({
    create: {
      width,
      height,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 128, sigma: 60 },
    },
  })
    .webp({ lossless: true })
    .toBuffer();
}

function sentIds(outcome: SendOutcome): string[] {
  if (outcome.status !== 'sent') throw new Error(`not sent: ${JSON.stringify(outcome)}`);
  return outcome.tiktokMessageIds;
}

describe('A send becomes TikTok messages in order, each the kind TikTok takes', () => {
  let host: LibraryHost;
  let sandbox: SandboxOutbound;
  let messenger: TiktokMessenger;
  let shop: ConnectedBusiness;
  let chat: OpenConversation;

  beforeAll(async () => {
    host = await startLibraryHost('forRoot');
    sandbox = new SandboxOutbound(host.sandbox.url);
    messenger = host.app.get(TiktokMessenger);
    shop = await connectBusiness(host, 'planshop');
    chat = await customerWrites(host, shop.businessId, 'plan.fan', 'Can I see it?');
  });

  afterAll(async () => {
    await host?.close();
  });

  // Each test starts right after the customer wrote again, so TikTok's caps never interfere.
  beforeEach(async () => {
    chat = await customerWrites(host, shop.businessId, 'plan.fan', 'And another thing…');
  });

  it('sends text plus two images as three TikTok messages, in order', async () => {
    const png = await solid(300, 200, 'png');
    const jpeg = await solid(200, 300, 'jpeg');

    const ids = sentIds(
      await messenger.send({
        conversationId: chat.conversationId,
        messageId: 'text-and-two-images',
        text: 'Here are both colours:',
        attachments: [
          { contentType: 'image/png', fileName: 'green.png', bytes: png },
          { contentType: 'image/jpeg', fileName: 'tall.jpg', bytes: jpeg },
        ],
      }),
    );

    expect(ids).toHaveLength(3);
    const items = (await sandbox.fromBusiness(chat.tiktokConversationId)).filter((item) =>
      ids.includes(item.messageId),
    );
    expect(items.map((item) => item.messageId)).toEqual(ids);
    expect(items.map((item) => item.type)).toEqual(['text', 'image', 'image']);
    expect(items[0].text).toBe('Here are both colours:');
    const first = await sandbox.media(items[1].mediaId as string);
    const second = await sandbox.media(items[2].mediaId as string);
    // Small JPGs and PNGs go through untouched.
    expect(first).toEqual({ contentType: 'image/png', bytes: png });
    expect(second).toEqual({ contentType: 'image/jpeg', bytes: jpeg });
  });

  it('splits 13,000 characters into 3 messages, each ending at a sentence', async () => {
    let text = '';
    for (let i = 0; text.length < 13_000; i++) {
      text += `${text ? ' ' : ''}Sentence ${i} explains one more detail of the order, calmly.`;
    }
    text = text.slice(0, 13_000);

    const ids = sentIds(
      await messenger.send({ conversationId: chat.conversationId, messageId: 'long-13k', text }),
    );

    expect(ids).toHaveLength(3);
    const items = (await sandbox.fromBusiness(chat.tiktokConversationId)).filter((item) =>
      ids.includes(item.messageId),
    );
    expect(items.map((item) => item.messageId)).toEqual(ids);
    for (const item of items) expect([...item.text].length).toBeLessThanOrEqual(6000);
    for (const item of items.slice(0, 2)) expect(item.text).toMatch(/calmly\.$/);
    expect(items.map((item) => item.text).join(' ')).toBe(text);
  });

  it('turns a 5 MB WebP into one JPEG of at most 3 MB with the same aspect ratio', async () => {
    const webp = await noisyWebp(1600, 1200);
    expect(webp.length).toBeGreaterThan(5 * MB);

    const [id] = sentIds(
      await messenger.send({
        conversationId: chat.conversationId,
        messageId: 'big-webp',
        attachments: [{ contentType: 'image/webp', fileName: 'noise.webp', bytes: webp }],
      }),
    );

    const items = (await sandbox.fromBusiness(chat.tiktokConversationId)).filter(
      (item) => item.messageId === id,
    );
    expect(items).toHaveLength(1);
    const media = await sandbox.media(items[0].mediaId as string);
    expect(media.contentType).toBe('image/jpeg');
    expect(media.bytes.length).toBeLessThanOrEqual(3_000_000);
    const metadata = await sharp(media.bytes).metadata();
    expect(metadata.format).toBe('jpeg');
    expect((metadata.width as number) / (metadata.height as number)).toBeCloseTo(1600 / 1200, 2);
  });

  it('reads an image from a stream', async () => {
    const png = await solid(64, 64, 'png');
    const { Readable } = await import('node:stream');

    const [id] = sentIds(
      await messenger.send({
        conversationId: chat.conversationId,
        messageId: 'streamed-image',
        attachments: [
          { contentType: 'image/png', fileName: 'a.png', stream: Readable.from([png]) },
        ],
      }),
    );

    const [item] = (await sandbox.fromBusiness(chat.tiktokConversationId)).filter(
      (candidate) => candidate.messageId === id,
    );
    expect((await sandbox.media(item.mediaId as string)).bytes).toEqual(png);
  });

  it('downloads an image given by URL and sends it', async () => {
    const png = await solid(48, 48, 'png');
    const [first] = sentIds(
      await messenger.send({
        conversationId: chat.conversationId,
        messageId: 'image-source',
        attachments: [{ contentType: 'image/png', fileName: 'src.png', bytes: png }],
      }),
    );
    const [source] = (await sandbox.fromBusiness(chat.tiktokConversationId)).filter(
      (item) => item.messageId === first,
    );
    // Any public URL will do; the sandbox's media route is one on this machine.
    const url = `${host.sandbox.url}/sandbox/media/${source.mediaId}`;

    const [id] = sentIds(
      await messenger.send({
        conversationId: chat.conversationId,
        messageId: 'image-by-url',
        attachments: [{ contentType: 'image/png', fileName: 'by-url.png', url }],
      }),
    );

    const [item] = (await sandbox.fromBusiness(chat.tiktokConversationId)).filter(
      (candidate) => candidate.messageId === id,
    );
    expect(item.mediaId).not.toBe(source.mediaId);
    expect((await sandbox.media(item.mediaId as string)).bytes).toEqual(png);
  });

  it("shares the business's own video as a post, by item id and by its TikTok URL", async () => {
    const post = await sandbox.addVideo(shop.businessId);

    const ids = sentIds(
      await messenger.send({
        conversationId: chat.conversationId,
        messageId: 'own-video',
        attachments: [
          { contentType: 'video/mp4', fileName: 'demo.mp4', tiktokItemId: post.itemId },
          { contentType: 'video/mp4', fileName: 'demo-again.mp4', url: post.shareUrl },
        ],
      }),
    );

    const items = (await sandbox.fromBusiness(chat.tiktokConversationId)).filter((item) =>
      ids.includes(item.messageId),
    );
    expect(items.map((item) => [item.type, item.itemId])).toEqual([
      ['share_post', post.itemId],
      ['share_post', post.itemId],
    ]);
  });

  it('sends any other video with a public URL as a link', async () => {
    const url = 'https://cdn.example.com/videos/unboxing.mp4';

    const [id] = sentIds(
      await messenger.send({
        conversationId: chat.conversationId,
        messageId: 'video-link',
        attachments: [{ contentType: 'video/mp4', fileName: 'unboxing.mp4', url }],
      }),
    );

    const [item] = (await sandbox.fromBusiness(chat.tiktokConversationId)).filter(
      (candidate) => candidate.messageId === id,
    );
    expect(item).toMatchObject({ type: 'text', text: url });
  });

  it('quotes the customer’s message when replying to it', async () => {
    const [id] = sentIds(
      await messenger.send({
        conversationId: chat.conversationId,
        messageId: 'quote-reply',
        text: 'Yes, here it is.',
        replyTo: chat.firstMessageId,
      }),
    );

    const [item] = (await sandbox.fromBusiness(chat.tiktokConversationId)).filter(
      (candidate) => candidate.messageId === id,
    );
    expect(item).toMatchObject({
      text: 'Yes, here it is.',
      referencedMessageId: chat.firstMessageId,
    });
  });

  it('shows the customer that an agent is typing, and marks their messages read', async () => {
    await expect(messenger.sendTyping({ conversationId: chat.conversationId })).resolves.toEqual({
      status: 'sent',
    });
    await expect(messenger.markRead({ conversationId: chat.conversationId })).resolves.toEqual({
      status: 'sent',
    });

    const actions = await sandbox.senderActions(chat.tiktokConversationId);
    expect(actions.map((action) => action.action)).toEqual(['TYPING', 'MARK_READ']);
  });

  it('reports every part through the port, with its kind and TikTok id', async () => {
    const png = await solid(32, 32, 'png');
    const outcome = await messenger.send({
      conversationId: chat.conversationId,
      messageId: 'reported-parts',
      text: 'Look',
      attachments: [{ contentType: 'image/png', fileName: 'p.png', bytes: png }],
    });
    const ids = sentIds(outcome);

    const report = host.port.calls
      .filter((call) => call.method === 'updateMessageStatus')
      .map((call) => call.args as { messageId: string; status: string; parts?: unknown[] })
      .find((args) => args.messageId === 'reported-parts' && args.status === 'sent');
    expect(report).toMatchObject({
      tiktokMessageId: ids[0],
      tiktokMessageIds: ids,
      parts: [
        { index: 0, kind: 'text', status: 'sent', tiktokMessageId: ids[0] },
        { index: 1, kind: 'image', attachmentIndex: 0, status: 'sent', tiktokMessageId: ids[1] },
      ],
    });
  });
});
