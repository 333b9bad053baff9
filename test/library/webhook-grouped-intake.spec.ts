import { batcherStats } from '../../libs/tiktok-channel/src/persistence/batcher';
import { parseWebhook } from '../../libs/tiktok-channel/src/webhook/webhook-envelope';
import {
  WebhookEventStore,
  type StoredWebhook,
} from '../../libs/tiktok-channel/src/webhook/webhook-event.store';
import { startLibraryHost, type LibraryHost } from '../support/library-host';

/**
 * Deliveries that arrive together are stored by one statement. The store is called directly, all
 * in one turn of the event loop, so which calls share a group is known rather than timed.
 */
describe('Grouped webhook intake', () => {
  let host: LibraryHost;
  let store: WebhookEventStore;
  let run = 0;

  beforeAll(async () => {
    host = await startLibraryHost('forRoot', { options: { inboundProcessingPaused: true } });
    store = host.app.get(WebhookEventStore);
  });

  afterAll(async () => {
    await host?.close();
  });

  function body(messageId: string, extra: Record<string, unknown> = {}): Buffer {
    return Buffer.from(
      JSON.stringify({
        client_key: 'app',
        event: 'im_receive_msg',
        create_time: Math.floor(Date.now() / 1000),
        user_openid: 'biz-grouped',
        content: JSON.stringify({
          conversation_id: 'c-grouped',
          message_id: messageId,
          timestamp: Date.now(),
          type: 'text',
          text: { body: messageId },
          from_user: { id: 'user-grouped', role: 'personal_account' },
          to_user: { id: 'biz-grouped', role: 'business_account' },
          ...extra,
        }),
      }),
    );
  }

  /** Saves every body in the same turn: they join one group (or several, in flight together). */
  function saveTogether(bodies: Buffer[]): Promise<StoredWebhook[]> {
    return Promise.all(bodies.map((raw) => store.save(parseWebhook(raw), raw)));
  }

  async function rowsFor(prefix: string): Promise<Array<{ dedupe_key: string; event: string }>> {
    const { rows } = await host.db.query(
      `SELECT dedupe_key, event FROM tiktok_webhook_events
        WHERE dedupe_key LIKE $1 OR convert_from(raw_body, 'UTF8') LIKE $2 ORDER BY dedupe_key`,
      [`%:${prefix}%`, `%${prefix}%`],
    );
    return rows;
  }

  function stats(): { calls: number; batches: number } {
    const { calls, batches } = batcherStats.get('webhook-intake') ?? { calls: 0, batches: 0 };
    return { calls, batches };
  }

  it('stores a group in one statement; a second copy within it is a redelivery of the first', async () => {
    const prefix = `g${++run}-`;
    const bodies = Array.from({ length: 10 }, (_, i) => body(`${prefix}${i}`));
    const withCopies = [...bodies, bodies[3], bodies[7], bodies[3]];
    const before = stats();
    const results = await saveTogether(withCopies);
    expect(stats()).toEqual({ calls: before.calls + 13, batches: before.batches + 1 });
    expect(results.map((result) => result.isNew)).toEqual([
      ...Array.from({ length: 10 }, () => true),
      false,
      false,
      false,
    ]);
    expect(results.slice(10).map((result) => result.id)).toEqual([null, null, null]);
    expect(new Set(results.slice(0, 10).map((result) => result.id)).size).toBe(10);
    expect(await rowsFor(prefix)).toHaveLength(10);
  });

  it('stores each event once when two groups in flight together carry the same events', async () => {
    const prefix = `g${++run}-`;
    const bodies = Array.from({ length: 64 }, (_, i) => body(`${prefix}${i}`));
    const before = stats();
    // 64 is a full group: the reversed copies make a second group, sent while the first is out.
    const results = await saveTogether([...bodies, ...[...bodies].reverse()]);
    expect(stats().batches).toBe(before.batches + 2);
    const newByKey = new Map<number, number>();
    results.forEach((result, index) => {
      const which = index < 64 ? index : 127 - index;
      if (result.isNew) newByKey.set(which, (newByKey.get(which) ?? 0) + 1);
    });
    expect([...newByKey.values()]).toEqual(Array.from({ length: 64 }, () => 1));
    expect(await rowsFor(prefix)).toHaveLength(64);
  });

  it('when the group fails, stores each row alone: a row refused for its values keeps only its bytes', async () => {
    const prefix = `g${++run}-`;
    await host.db.query(
      `ALTER TABLE tiktok_webhook_events ADD CONSTRAINT poison CHECK (NOT coalesce(content ? 'poison', false))`,
    );
    let results: StoredWebhook[];
    try {
      results = await saveTogether([
        body(`${prefix}0`),
        body(`${prefix}1`),
        body(`${prefix}bad`, { poison: true }),
        body(`${prefix}3`),
      ]);
    } finally {
      await host.db.query(`ALTER TABLE tiktok_webhook_events DROP CONSTRAINT poison`);
    }
    expect(results.map(({ isNew, parsed }) => ({ isNew, parsed }))).toEqual([
      { isNew: true, parsed: true },
      { isNew: true, parsed: true },
      { isNew: true, parsed: false },
      { isNew: true, parsed: true },
    ]);
    const rows = await rowsFor(prefix);
    expect(rows.map((row) => row.event).sort()).toEqual([
      'im_receive_msg',
      'im_receive_msg',
      'im_receive_msg',
      'unstorable',
    ]);
  });
});
