import { SendRecorder } from '../../libs/tiktok-channel/src/outbound/send-recorder';
import { startLibraryHost, type LibraryHost } from '../support/library-host';
import { connectBusiness, customerWrites } from '../support/outbound-world';

const CONVERSATIONS = 25;
const SENDS_EACH = 10;

/**
 * A burst of sends asked conversation after conversation (a bulk reply, a campaign) is recorded
 * in batches of 200: each conversation starts sending once its first send is recorded, so every
 * conversation's first send goes in the first batch, not after every send of the ones asked before.
 * Recording only: background jobs are off and nothing kicks the worker, so nothing is sent.
 */
describe('A burst of sends is recorded fairly across conversations', () => {
  let host: LibraryHost;

  beforeAll(async () => {
    host = await startLibraryHost('forRoot', { options: { sendWaitMs: 0 } });
  });

  afterAll(async () => {
    await host?.close();
  });

  it("records every conversation's first send in the first transaction", async () => {
    const shop = await connectBusiness(host, 'fairshop');
    await customerWrites(host, shop.businessId, 'fair.fan', 'Hello');
    // More conversations like that one, straight in the table: only recording is looked at.
    const { rows } = await host.db.query<{ id: string }>(
      `INSERT INTO tiktok_conversations
         (account_id, tiktok_conversation_id, tiktok_user_id, host_inbox_id, host_contact_id,
          host_conversation_id, last_inbound_at)
       SELECT account_id, 'fair-' || n, tiktok_user_id || n, host_inbox_id, host_contact_id,
              'fair-host-' || n, now()
         FROM tiktok_conversations, generate_series(1, $1) AS n
       RETURNING id`,
      [CONVERSATIONS],
    );
    const recorder = host.app.get(SendRecorder);

    // Asked conversation after conversation, 250 sends: more than one batch holds.
    const results = await Promise.all(
      rows.flatMap(({ id }) =>
        Array.from({ length: SENDS_EACH }, (_, n) =>
          recorder.record({
            conversationId: id,
            hostMessageId: `fair-${id}-${n}`,
            parts: [
              {
                kind: 'text',
                messageType: 'TEXT',
                body: `send ${n}`,
                attachmentIndex: null,
                referencedMessageId: null,
                shareItemId: null,
              },
            ],
            pendingReported: true,
          }),
        ),
      ),
    );
    expect(results.every((result) => result.kind === 'recorded')).toBe(true);

    // Rows one transaction inserted share its xmin.
    const firsts = await host.db.query<{ tx: string }>(
      `SELECT DISTINCT xmin::text AS tx FROM tiktok_outbound_requests
        WHERE host_message_id LIKE 'fair-%-0'`,
    );
    expect(firsts.rows).toHaveLength(1);
    // And each conversation's sends were recorded in the order asked.
    const order = await host.db.query<{ conversation_id: string; bodies: string[] }>(
      `SELECT conversation_id, array_agg(body ORDER BY created_at, host_message_id) AS bodies
         FROM tiktok_outbound_messages WHERE host_message_id LIKE 'fair-%'
        GROUP BY conversation_id`,
    );
    expect(order.rows).toHaveLength(CONVERSATIONS);
    for (const row of order.rows)
      expect(row.bodies).toEqual(Array.from({ length: SENDS_EACH }, (_, n) => `send ${n}`));
  });
});
