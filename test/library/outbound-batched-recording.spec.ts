import { TiktokMessenger } from '../../libs/tiktok-channel/src';
import { eventually } from '../support/e2e-harness';
import { startLibraryHost, type LibraryHost } from '../support/library-host';
import { connectBusiness, customerWrites, type ConnectedBusiness } from '../support/outbound-world';
import { SandboxOutbound } from '../support/sandbox-outbound';

/**
 * Sends that arrive together are recorded together, in one transaction: they must still be
 * recorded as if one after the other, in the order they were asked (the caps counted that way,
 * and the parts sent that way).
 */
describe('Sends recorded together behave as if recorded one after the other', () => {
  let host: LibraryHost;
  let sandbox: SandboxOutbound;
  let messenger: TiktokMessenger;
  let shop: ConnectedBusiness;

  beforeAll(async () => {
    host = await startLibraryHost('forRoot', { options: { sendWaitMs: 0 } });
    sandbox = new SandboxOutbound(host.sandbox.url);
    messenger = host.app.get(TiktokMessenger);
    shop = await connectBusiness(host, 'batchshop');
  });

  afterAll(async () => {
    await host?.close();
  });

  async function allSent(messageIds: string[]): Promise<void> {
    await eventually(async () => {
      const { rows } = await host.db.query(
        `SELECT count(*)::int AS n FROM tiktok_outbound_requests
          WHERE host_message_id = ANY($1) AND status = 'sent'`,
        [messageIds],
      );
      return rows[0].n === messageIds.length;
    }, 'every message to be sent');
  }

  it('delivers messages asked at once in the order they were asked, whatever their ids', async () => {
    const chat = await customerWrites(host, shop.businessId, 'order.fan', 'Go on');
    // Ids that sort the other way round from the order of the calls.
    const sends = Array.from({ length: 8 }, (_, i) => ({
      messageId: `order-${String.fromCharCode(122 - i)}`,
      text: `step ${i + 1}`,
    }));

    const outcomes = await Promise.all(
      sends.map((send) => messenger.send({ conversationId: chat.conversationId, ...send })),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual(sends.map(() => 'pending'));
    await allSent(sends.map((send) => send.messageId));

    const received = await sandbox.fromBusiness(chat.tiktokConversationId);
    expect(received.map((item) => item.text)).toEqual(sends.map((send) => send.text));
  });

  it('counts the cap across sends recorded together: the ones asked last are refused', async () => {
    const chat = await customerWrites(host, shop.businessId, 'cap.fan', 'Tell me all');
    const sends = Array.from({ length: 12 }, (_, i) => ({
      messageId: `cap-together-${i}`,
      text: `fact ${i}`,
    }));

    const outcomes = await Promise.all(
      sends.map((send) => messenger.send({ conversationId: chat.conversationId, ...send })),
    );

    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      ...Array.from({ length: 10 }, () => 'pending'),
      'failed',
      'failed',
    ]);
    expect(outcomes.slice(10)).toEqual(
      outcomes.slice(10).map(() => expect.objectContaining({ reason: 'message_cap_reached' })),
    );
    await allSent(sends.slice(0, 10).map((send) => send.messageId));
    const received = await sandbox.fromBusiness(chat.tiktokConversationId);
    expect(received.map((item) => item.text)).toEqual(sends.slice(0, 10).map((send) => send.text));
  });
});
