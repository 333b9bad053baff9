import sharp from 'sharp';
import { TiktokMessenger, type FailureReason, type SendInput } from '../../libs/tiktok-channel/src';
import { settleTiktokChannel } from '../../libs/tiktok-channel/src/testing';
import { startLibraryHost, type LibraryHost } from '../support/library-host';
import {
  connectBusiness,
  customerWrites,
  type ConnectedBusiness,
  type OpenConversation,
} from '../support/outbound-world';
import { SandboxOutbound } from '../support/sandbox-outbound';

/*
 * Every refusal is proven the same way: the refused send answers at once with its reason and a
 * sentence; then a good message is sent, and the person's view shows that message alone, and the
 * sandbox counted exactly one delivery request (send or upload) since: nothing of the refused
 * send was queued, uploaded or sent before or after it.
 */
describe('A send that breaks a rule is refused with its reason, and TikTok receives nothing', () => {
  let host: LibraryHost;
  let sandbox: SandboxOutbound;
  let messenger: TiktokMessenger;
  let shop: ConnectedBusiness;
  let chat: OpenConversation;
  let png: Buffer;
  let sequence = 0;

  beforeAll(async () => {
    host = await startLibraryHost('forRootAsync', {
      options: { maxAttachmentBytes: 64 * 1024 },
    });
    sandbox = new SandboxOutbound(host.sandbox.url);
    messenger = host.app.get(TiktokMessenger);
    shop = await connectBusiness(host, 'refuseshop');
    png = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#c33' } })
      .png()
      .toBuffer();
  });

  afterAll(async () => {
    await host?.close();
  });

  beforeEach(async () => {
    chat = await customerWrites(host, shop.businessId, 'refuse.fan', `Question ${++sequence}`);
  });

  async function expectRefused(
    input: Omit<SendInput, 'conversationId' | 'messageId'>,
    reason: FailureReason,
    sentence: RegExp,
    target: OpenConversation = chat,
  ): Promise<void> {
    const requestsBefore = await sandbox.deliveryRequests();
    const itemsBefore = await sandbox.fromBusiness(target.tiktokConversationId);
    const messageId = `refused-${++sequence}`;

    const outcome = await messenger.send({
      conversationId: target.conversationId,
      messageId,
      ...input,
    });

    expect(outcome).toMatchObject({ status: 'failed', reason, refused: true });
    expect(outcome.status === 'failed' && outcome.detail).toMatch(sentence);
    expect(host.port.statuses).toContainEqual({ messageId, status: 'failed', reason });
    const { rows } = await host.db.query(
      `SELECT 1 FROM tiktok_outbound_messages WHERE host_message_id = $1`,
      [messageId],
    );
    expect(rows).toHaveLength(0);

    // Something that did happen after it: a good message in the same conversation goes out alone.
    if (target === chat) {
      const good = await messenger.send({
        conversationId: target.conversationId,
        messageId: `good-${sequence}`,
        text: `good ${sequence}`,
      });
      expect(good.status).toBe('sent');
      await settleTiktokChannel(host.app);
      const items = await sandbox.fromBusiness(target.tiktokConversationId);
      expect(items.slice(itemsBefore.length).map((item) => item.text)).toEqual([
        `good ${sequence}`,
      ]);
      expect(await sandbox.deliveryRequests()).toBe(requestsBefore + 1);
    } else {
      await settleTiktokChannel(host.app);
      expect(await sandbox.fromBusiness(target.tiktokConversationId)).toEqual(itemsBefore);
      expect(await sandbox.deliveryRequests()).toBe(requestsBefore);
    }
  }

  it('refuses an empty message as invalid_content', async () => {
    await expectRefused({ text: '  \n ' }, 'invalid_content', /empty/);
  });

  it('refuses a quote reply without text as invalid_content', async () => {
    await expectRefused(
      {
        replyTo: chat.firstMessageId,
        attachments: [{ contentType: 'image/png', fileName: 'a.png', bytes: png }],
      },
      'invalid_content',
      /needs text/,
    );
  });

  it('refuses a video without a TikTok post or a public URL as video_not_supported, saying why', async () => {
    await expectRefused(
      {
        text: 'Here is the video',
        attachments: [{ contentType: 'video/mp4', fileName: 'clip.mp4', bytes: Buffer.alloc(100) }],
      },
      'video_not_supported',
      /takes no video files/,
    );
  });

  it('refuses an attachment TikTok cannot carry (a PDF) as unsupported_media', async () => {
    await expectRefused(
      {
        attachments: [
          {
            contentType: 'application/pdf',
            fileName: 'invoice.pdf',
            bytes: Buffer.from('%PDF-1.4'),
          },
        ],
      },
      'unsupported_media',
      /invoice\.pdf/,
    );
  });

  it('refuses an image that cannot be read as one as unsupported_media', async () => {
    await expectRefused(
      {
        attachments: [
          { contentType: 'image/jpeg', fileName: 'broken.jpg', bytes: Buffer.from('not a jpeg') },
        ],
      },
      'unsupported_media',
      /could not be read as an image/,
    );
  });

  it('refuses an attachment over maxAttachmentBytes as attachment_too_large', async () => {
    await expectRefused(
      {
        attachments: [
          { contentType: 'image/png', fileName: 'huge.png', bytes: Buffer.alloc(65 * 1024) },
        ],
      },
      'attachment_too_large',
      /huge\.png is larger than/,
    );
  });

  it('refuses images to a customer who cannot receive them as image_not_supported', async () => {
    await sandbox.setImageSend(chat.userId, false);
    // Nothing cached from earlier tests: the messenger asks TikTok.
    await host.db.query(`UPDATE tiktok_conversations SET capabilities_checked_at = NULL`);
    try {
      await expectRefused(
        {
          text: 'A photo',
          attachments: [{ contentType: 'image/png', fileName: 'a.png', bytes: png }],
        },
        'image_not_supported',
        /cannot receive images/,
      );
    } finally {
      await sandbox.setImageSend(chat.userId, true);
      await host.db.query(`UPDATE tiktok_conversations SET capabilities_checked_at = NULL`);
    }
  });

  it('refuses an 11th message before the customer writes again as message_cap_reached', async () => {
    const other = await customerWrites(host, shop.businessId, 'cap.fan', 'Tell me everything');
    for (let i = 0; i < 10; i++) {
      const outcome = await messenger.send({
        conversationId: other.conversationId,
        messageId: `cap-${i}`,
        text: `fact ${i}`,
      });
      expect(outcome.status).toBe('sent');
    }
    await expectRefused({ text: 'one more fact' }, 'message_cap_reached', /10 messages/, other);
  });

  it('counts every part of a message against the cap', async () => {
    const other = await customerWrites(host, shop.businessId, 'parts.fan', 'Pictures please');
    for (let i = 0; i < 8; i++) {
      await messenger.send({
        conversationId: other.conversationId,
        messageId: `pcap-${i}`,
        text: `${i}`,
      });
    }
    await expectRefused(
      {
        text: 'Three parts',
        attachments: [
          { contentType: 'image/png', fileName: 'a.png', bytes: png },
          { contentType: 'image/png', fileName: 'b.png', bytes: png },
        ],
      },
      'message_cap_reached',
      /this one needs 3/,
      other,
    );
  });

  it('refuses a reply once the window and its allowance lapsed as reply_window_expired', async () => {
    const other = await customerWrites(host, shop.businessId, 'late.fan', 'Long ago');
    await host.db.query(
      `UPDATE tiktok_conversations SET last_inbound_at = now() - interval '3 days'
        WHERE host_conversation_id = $1`,
      [other.conversationId],
    );
    // The allowance after the window (3) is counted from parts recorded after it lapsed.
    await host.db.query(
      `INSERT INTO tiktok_outbound_messages
         (account_id, conversation_id, host_message_id, part_index, message_type, body, status, tiktok_message_id)
       SELECT c.account_id, c.id, 'earlier-' || n, 0, 'TEXT', 'earlier', 'sent', 'earlier-id-' || n
         FROM tiktok_conversations c, generate_series(1, 3) n
        WHERE c.host_conversation_id = $1`,
      [other.conversationId],
    );
    await expectRefused({ text: 'Sorry for the delay' }, 'reply_window_expired', /48 hours/, other);
  });

  it('refuses to write first in a conversation the customer never wrote in', async () => {
    const other = await customerWrites(host, shop.businessId, 'never.fan', 'Hi');
    await host.db.query(
      `UPDATE tiktok_conversations SET last_inbound_at = NULL WHERE host_conversation_id = $1`,
      [other.conversationId],
    );
    await expectRefused(
      { text: 'Special offer!' },
      'first_contact_required',
      /must write first/,
      other,
    );
  });

  it('refuses to send from an account that needs reconnecting as reauthorization_required', async () => {
    const other = await customerWrites(host, shop.businessId, 'reauth.fan', 'Hi');
    await host.db.query(`UPDATE tiktok_accounts SET status = 'reauthorization_required'`);
    try {
      await expectRefused({ text: 'Hello?' }, 'reauthorization_required', /reconnected/, other);
    } finally {
      await host.db.query(`UPDATE tiktok_accounts SET status = 'active'`);
    }
  });
});
