import { Client } from 'pg';
import { InboundProcessor } from '../../libs/tiktok-channel/src/testing';
import { conversationLockKey } from '../../libs/tiktok-channel/src/inbound/inbound-processor.service';
import { parseWebhook } from '../../libs/tiktok-channel/src/webhook/webhook-envelope';
import { WebhookEventStore } from '../../libs/tiktok-channel/src/webhook/webhook-event.store';
import { followRedirects } from '../support/e2e-harness';
import { startLibraryHost, webhookEnvelope, type LibraryHost } from '../support/library-host';
import { SandboxControl } from '../support/sandbox-control';

/**
 * Several workers (in one process or several) claim events at once. A worker that claimed a
 * conversation's older event and waits for the conversation's lock must still go first: the
 * 3-process test (`npm run test:faults`) caught a later message overtaking it this way.
 */
describe('A conversation whose oldest event another worker has claimed', () => {
  let host: LibraryHost;
  let businessId: string;
  let otherWorker: Client;

  beforeAll(async () => {
    host = await startLibraryHost('forRoot');
    await new SandboxControl(host.sandbox.url).queueConsent('busyshop', 'business', 'approve');
    await followRedirects(`${host.url}/tiktok/oauth/authorize`);
    const { rows } = await host.db.query(`SELECT business_id FROM tiktok_accounts`);
    businessId = rows[0].business_id;
    otherWorker = new Client({ connectionString: host.databaseUrl });
  });

  afterAll(async () => {
    await otherWorker?.end().catch(() => undefined);
    await host?.close();
  });

  async function store(
    messageId: string,
    timestamp: number,
    conversationId = 'c-contended',
  ): Promise<void> {
    const raw = Buffer.from(
      JSON.stringify(
        webhookEnvelope('im_receive_msg', businessId, {
          conversation_id: conversationId,
          message_id: messageId,
          timestamp,
          type: 'text',
          text: { body: messageId },
          from: 'customer',
          to: 'busyshop',
          from_user: { id: 'user_contended', role: 'personal_account' },
          to_user: { id: businessId, role: 'business_account' },
        }),
      ),
    );
    await host.app.get(WebhookEventStore).save(parseWebhook(raw), raw);
  }

  it('waits for that worker instead of handing the host a later message first', async () => {
    await store('first', 1764000001000);
    await store('second', 1764000002000);
    const processor = host.app.get(InboundProcessor);

    // The other worker holds the older event, as it does between its claim and the lock.
    await otherWorker.connect();
    await otherWorker.query('BEGIN');
    await otherWorker.query(
      `SELECT id FROM tiktok_webhook_events WHERE dedupe_key LIKE '%:first' FOR UPDATE`,
    );
    expect(await processor.processNext()).toBe(true);
    expect(host.port.appended().map((m) => m.tiktokMessageId)).toEqual([]);

    await otherWorker.query('COMMIT');
    await processor.settle();
    expect(host.port.appended().map((m) => m.tiktokMessageId)).toEqual(['first', 'second']);
  });
  it("reads none of a conversation's events while another process holds its lock", async () => {
    await store('locked-1', 1764000011000, 'c-locked');
    const processor = host.app.get(InboundProcessor);
    const before = host.port.appended().length;

    // Another process's run of this conversation, between its lock and its row locks.
    await otherWorker.query('BEGIN');
    await otherWorker.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      conversationLockKey(businessId, 'c-locked'),
    ]);
    expect(await processor.processNext()).toBe(true);
    expect(host.port.appended().length).toBe(before);

    await otherWorker.query('COMMIT');
    await processor.settle();
    expect(host.port.appended().map((m) => m.tiktokMessageId)).toContain('locked-1');
  });
});
