import { TiktokMessenger, TiktokRateLimiter } from '../../libs/tiktok-channel/src';
import { eventually } from '../support/e2e-harness';
import { startLibraryHost, type LibraryHost } from '../support/library-host';
import {
  connectBusiness,
  customerWrites,
  type ConnectedBusiness,
  type OpenConversation,
} from '../support/outbound-world';
import { SandboxOutbound } from '../support/sandbox-outbound';
import { startSecondInstance, type SecondInstance } from '../support/second-instance';

const PER_INSTANCE = 30;

describe('Two instances sending for one business together stay under its 10 requests per second', () => {
  let host: LibraryHost;
  let second: SecondInstance;
  let sandbox: SandboxOutbound;
  let shop: ConnectedBusiness;
  const chats: OpenConversation[] = [];

  beforeAll(async () => {
    host = await startLibraryHost('forRoot', { options: { sendWaitMs: 0 } });
    second = await startSecondInstance(host, { sendWaitMs: 0 });
    sandbox = new SandboxOutbound(host.sandbox.url);
    shop = await connectBusiness(host, 'busyshop');
    // Six conversations (TikTok allows 10 messages each before a reply): each instance drives three.
    for (let i = 0; i < 6; i++)
      chats.push(await customerWrites(host, shop.businessId, `busy.fan${i}`));
  });

  afterAll(async () => {
    await second?.close();
    await host?.close();
  });

  it('delivers 60 messages sent at once from two instances without a single 40100', async () => {
    const instances = [host.app.get(TiktokMessenger), second.app.get(TiktokMessenger)];
    const sends = instances.flatMap((messenger, i) =>
      Array.from({ length: PER_INSTANCE }, (_, n) => ({
        messenger,
        chat: chats[i * 3 + (n % 3)],
        messageId: `busy-${i}-${n}`,
        text: `instance ${i} message ${n}`,
      })),
    );

    await Promise.all(
      sends.map((send) =>
        send.messenger.send({
          conversationId: send.chat.conversationId,
          messageId: send.messageId,
          text: send.text,
        }),
      ),
    );
    await eventually(
      async () => {
        const { rows } = await host.db.query(
          `SELECT count(*)::int AS n FROM tiktok_outbound_requests WHERE status = 'sent'`,
        );
        return rows[0].n === sends.length;
      },
      'all 60 messages to be sent',
      60_000,
    );

    const stats = await sandbox.stats();
    expect(stats.rateLimited).toBe(0);
    const texts = (
      await Promise.all(chats.map((chat) => sandbox.fromBusiness(chat.tiktokConversationId)))
    ).flatMap((items) => items.map((item) => item.text));
    expect(texts.sort()).toEqual(sends.map((send) => send.text).sort());

    // Each part went out in a slot of its own, 1/rate after the one before, even when several
    // were reserved in one statement: every sending part's reconciliation time is its slot plus
    // the same constant, so those times are at least 100 ms apart too.
    const { rows } = await host.db.query<{ gap_ms: number | null }>(
      `SELECT (EXTRACT(EPOCH FROM (next_attempt_at - lag(next_attempt_at) OVER (ORDER BY next_attempt_at))) * 1000)::float8 AS gap_ms
         FROM tiktok_outbound_messages WHERE host_message_id LIKE 'busy-%'`,
    );
    const gaps = rows.map((row) => row.gap_ms).filter((gap): gap is number => gap !== null);
    expect(gaps).toHaveLength(sends.length - 1);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(99.9);
  });

  it('spaces reservations for one business 1/rate apart, whichever instance reserves', async () => {
    const limiters = [host.app.get(TiktokRateLimiter), second.app.get(TiktokRateLimiter)];
    const { rows: before } = await host.db.query(`SELECT clock_timestamp() AS at`);

    await Promise.all(
      Array.from({ length: 20 }, (_, i) => limiters[i % 2].reserve('biz_spacing_check')),
    );

    // Twenty slots 100 ms apart: the next free slot is at least 2 s after the first reservation.
    const { rows } = await host.db.query(
      `SELECT EXTRACT(EPOCH FROM (next_slot_at - $1)) * 1000 AS ms FROM tiktok_rate_limits
        WHERE business_id = 'biz_spacing_check'`,
      [before[0].at],
    );
    expect(Number(rows[0].ms)).toBeGreaterThanOrEqual(2000);
  });
});
