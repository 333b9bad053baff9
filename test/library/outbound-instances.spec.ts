import { TiktokMessenger } from '../../libs/tiktok-channel/src';
import { OutboundWorker } from '../../libs/tiktok-channel/src/testing';
import { eventually } from '../support/e2e-harness';
import { startLibraryHost, type LibraryHost } from '../support/library-host';
import { connectBusiness, customerWrites } from '../support/outbound-world';
import { SandboxOutbound } from '../support/sandbox-outbound';
import { startSecondInstance, type SecondInstance } from '../support/second-instance';

describe('Two instances working on one conversation at once', () => {
  let host: LibraryHost;
  let second: SecondInstance;
  let sandbox: SandboxOutbound;

  beforeAll(async () => {
    host = await startLibraryHost('forRoot', { options: { sendWaitMs: 0 } });
    second = await startSecondInstance(host, { sendWaitMs: 0 });
    sandbox = new SandboxOutbound(host.sandbox.url);
  });

  afterAll(async () => {
    await second?.close();
    await host?.close();
  });

  it('send each part once, in order: one drives the conversation, the other finds it taken', async () => {
    const shop = await connectBusiness(host, 'twoshop');
    const chat = await customerWrites(host, shop.businessId, 'two.fan', 'Tell me');
    // Slow answers keep the first instance mid-conversation while the second one sweeps.
    await sandbox.setLatency('/business/message/send/', 40);
    const texts = Array.from({ length: 10 }, (_, i) => `part ${i}`);

    for (const [i, text] of texts.entries()) {
      await host.app
        .get(TiktokMessenger)
        .send({ conversationId: chat.conversationId, messageId: `two-${i}`, text });
    }
    await Promise.all([
      second.app.get(OutboundWorker).settle(),
      second.app.get(OutboundWorker).settle(),
      host.app.get(OutboundWorker).settle(),
    ]);
    await eventually(async () => {
      const { rows } = await host.db.query(
        `SELECT count(*)::int AS n FROM tiktok_outbound_requests WHERE status = 'sent'`,
      );
      return rows[0].n === texts.length;
    }, 'every message to be sent');

    const items = await sandbox.fromBusiness(chat.tiktokConversationId);
    expect(items.map((item) => item.text)).toEqual(texts);
    await sandbox.setLatency('/business/message/send/', 0);
  });
});
