import { TiktokMessenger } from '../../libs/tiktok-channel/src';
import { eventually } from '../support/e2e-harness';
import { startLibraryHost, type LibraryHost } from '../support/library-host';
import { connectBusiness, customerWrites, type OpenConversation } from '../support/outbound-world';
import { SandboxOutbound } from '../support/sandbox-outbound';

const BUSINESSES = 20;
const CUSTOMERS_PER_BUSINESS = 3; // TikTok allows 10 messages per conversation before a reply
const SENDS = 500;

describe('500 sends to 20 businesses while 30 % of sends fail with a 5xx or lose their answer after TikTok accepted them', () => {
  let host: LibraryHost;
  let sandbox: SandboxOutbound;
  const conversations: OpenConversation[] = [];

  beforeAll(async () => {
    host = await startLibraryHost('forRoot', {
      options: { requestTimeoutMs: 600, reconcileDelayMs: 100, sendWaitMs: 0 },
    });
    sandbox = new SandboxOutbound(host.sandbox.url);
    for (let b = 0; b < BUSINESSES; b++) {
      const shop = await connectBusiness(host, `faultshop${b}`);
      for (let c = 0; c < CUSTOMERS_PER_BUSINESS; c++) {
        conversations.push(await customerWrites(host, shop.businessId, `fault.fan${c}`, 'Hi'));
      }
    }
  }, 120_000);

  afterAll(async () => {
    await host?.close();
  });

  it('delivers every message exactly once and ends every status final', async () => {
    await sandbox.faultRates({
      path: '/business/message/send/',
      http5xx: 0.15,
      timeoutAfterAccept: 0.15,
    });
    const messenger = host.app.get(TiktokMessenger);
    const sends = Array.from({ length: SENDS }, (_, i) => ({
      conversation: conversations[i % conversations.length],
      messageId: `fault-${i}`,
      text: `message ${i} of ${SENDS}`,
    }));

    const outcomes = await Promise.all(
      sends.map((send) =>
        messenger.send({
          conversationId: send.conversation.conversationId,
          messageId: send.messageId,
          text: send.text,
        }),
      ),
    );
    expect(outcomes.every((outcome) => outcome.status !== 'failed')).toBe(true);

    await eventually(
      async () => {
        const { rows } = await host.db.query(
          `SELECT count(*)::int AS n FROM tiktok_outbound_requests WHERE status = 'pending'`,
        );
        return rows[0].n === 0;
      },
      'every message to end sent or failed',
      150_000,
    );

    const { rows: statuses } = await host.db.query(
      `SELECT status, count(*)::int AS n FROM tiktok_outbound_requests GROUP BY status`,
    );
    expect(statuses).toEqual([{ status: 'sent', n: SENDS }]);

    const seen = new Map<string, number>();
    for (const conversation of conversations) {
      for (const item of await sandbox.fromBusiness(conversation.tiktokConversationId)) {
        seen.set(item.text, (seen.get(item.text) ?? 0) + 1);
      }
    }
    const counts = sends.map((send) => seen.get(send.text) ?? 0);
    expect(counts.filter((n) => n !== 1)).toEqual([]);

    // Every message's final status reached the host.
    const reported = new Set(
      host.port.statuses.filter((s) => s.status === 'sent').map((s) => s.messageId),
    );
    expect(sends.filter((send) => !reported.has(send.messageId))).toEqual([]);

    // The faults did happen, in numbers that matter.
    const injected = await sandbox.injected();
    const fiveHundreds = Object.entries(injected)
      .filter(([kind]) => /^http5\d\d$/.test(kind))
      .reduce((sum, [, n]) => sum + n, 0);
    expect(fiveHundreds).toBeGreaterThan(SENDS * 0.05);
    expect(injected['timeoutAfterAccept'] ?? 0).toBeGreaterThan(SENDS * 0.05);
    expect((await sandbox.stats()).rateLimited).toBe(0);
  }, 240_000);
});
