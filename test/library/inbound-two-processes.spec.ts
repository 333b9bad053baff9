import { InboundProcessor } from '../../libs/tiktok-channel/src/testing';
import { parseWebhook } from '../../libs/tiktok-channel/src/webhook/webhook-envelope';
import { WebhookEventStore } from '../../libs/tiktok-channel/src/webhook/webhook-event.store';
import { followRedirects } from '../support/e2e-harness';
import { startLibraryHost, webhookEnvelope, type LibraryHost } from '../support/library-host';
import { RecordingPort } from '../support/recording-port';
import { SandboxControl } from '../support/sandbox-control';
import { startSecondInstance, type SecondInstance } from '../support/second-instance';

const T0 = 1764000000000;
const SENDERS = 8;
const DISTINCT = 1000;
const DUPLICATE_SHARE = 0.3;

/** A small seeded generator: the same shuffle every run, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Two library instances (each its own pool, worker and port, as two processes would be) on one
 * database take 1,000 events of 8 senders, 30 % of them delivered twice, in shuffled order. Each
 * conversation's messages must reach the host in TikTok order, each exactly once.
 */
describe('Two processes draining one inbox', () => {
  let host: LibraryHost;
  let second: SecondInstance;
  let businessId: string;

  beforeAll(async () => {
    host = await startLibraryHost('forRoot');
    await new SandboxControl(host.sandbox.url).queueConsent('twoshop', 'business', 'approve');
    await followRedirects(`${host.url}/tiktok/oauth/authorize`);
    const { rows } = await host.db.query(`SELECT business_id FROM tiktok_accounts`);
    businessId = rows[0].business_id;
    second = await startSecondInstance(host);
  });

  afterAll(async () => {
    await second?.close();
    await host?.close();
  });

  it('hands each conversation its messages in TikTok order, exactly once', async () => {
    const next = random(6);
    const events: Array<{ conversation: string; id: string; at: number }> = [];
    for (let i = 0; i < DISTINCT; i++) {
      const sender = i % SENDERS;
      events.push({ conversation: `c-two-${sender}`, id: `two-${sender}-${i}`, at: T0 + i * 10 });
    }
    const deliveries = [...events];
    for (let i = 0; i < DISTINCT * DUPLICATE_SHARE; i++) {
      deliveries.push(events[Math.floor(next() * events.length)]);
    }
    for (let i = deliveries.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [deliveries[i], deliveries[j]] = [deliveries[j], deliveries[i]];
    }
    // Stored first (without kicks), so the order is entirely up to the two workers' claims.
    const store = host.app.get(WebhookEventStore);
    for (const event of deliveries) {
      const raw = Buffer.from(
        JSON.stringify(
          webhookEnvelope('im_receive_msg', businessId, {
            conversation_id: event.conversation,
            message_id: event.id,
            timestamp: event.at,
            type: 'text',
            text: { body: event.id },
            from_user: { id: `user_${event.conversation}`, role: 'personal_account' },
            to_user: { id: businessId, role: 'business_account' },
          }),
        ),
      );
      await store.save(parseWebhook(raw), raw);
    }

    RecordingPort.appendLog.length = 0;
    const started = Date.now();
    await Promise.all([
      host.app.get(InboundProcessor).settle(),
      second.app.get(InboundProcessor).settle(),
    ]);
    const seconds = (Date.now() - started) / 1000;

    const log = RecordingPort.appendLog.filter((m) => m.tiktokMessageId.startsWith('two-'));
    const ids = log.map((m) => m.tiktokMessageId);
    expect(new Set(ids).size).toBe(DISTINCT);
    expect(ids.length).toBe(DISTINCT);
    for (let sender = 0; sender < SENDERS; sender++) {
      const expected = events.filter((e) => e.conversation === `c-two-${sender}`).map((e) => e.id);
      expect(ids.filter((id) => id.startsWith(`two-${sender}-`))).toEqual(expected);
    }
    const byFirst = host.port.appended().filter((m) => m.tiktokMessageId.startsWith('two-')).length;
    // Not asserted (the split depends on scheduling): reported for the record.
    console.log(
      `two processes: ${DISTINCT} events in ${seconds.toFixed(2)} s (${Math.round(DISTINCT / seconds)} events/s); first took ${byFirst}, second ${DISTINCT - byFirst}`,
    );
  }, 120_000);
});
