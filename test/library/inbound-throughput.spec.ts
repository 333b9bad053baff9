import { InboundProcessor } from '../../libs/tiktok-channel/src/testing';
import { parseWebhook } from '../../libs/tiktok-channel/src/webhook/webhook-envelope';
import { WebhookEventStore } from '../../libs/tiktok-channel/src/webhook/webhook-event.store';
import { eventually, followRedirects } from '../support/e2e-harness';
import { customerTextEnvelope, startLibraryHost, type LibraryHost } from '../support/library-host';
import { SandboxControl } from '../support/sandbox-control';

/** A realistic TikTok time (ms). */
const T0 = 1764000000000;

async function connect(host: LibraryHost, username: string): Promise<string> {
  await new SandboxControl(host.sandbox.url).queueConsent(username, 'business', 'approve');
  const hops = await followRedirects(`${host.url}/tiktok/oauth/authorize`);
  expect(new URL(hops[hops.length - 1], host.url).searchParams.get('tiktok_status')).toBe(
    'connected',
  );
  const { rows } = await host.db.query(`SELECT business_id FROM tiktok_accounts`);
  return rows[0].business_id as string;
}

const received = customerTextEnvelope;

async function status(host: LibraryHost, messageId: string): Promise<string> {
  const { rows } = await host.db.query(
    `SELECT status FROM tiktok_webhook_events WHERE dedupe_key LIKE $1`,
    [`%:${messageId}`],
  );
  return rows[0]?.status as string;
}

describe('Inbound throughput: intake never waits for processing', () => {
  let host: LibraryHost;
  let businessId: string;
  let release: () => void = () => undefined;

  beforeAll(async () => {
    // A main pool of 2 and 2 workers: two held runs take every connection of it.
    host = await startLibraryHost('forRoot', { poolSize: 2, options: { inboundWorkers: 2 } });
    businessId = await connect(host, 'throughputshop');
  });

  afterAll(async () => {
    release();
    await host?.close();
  });

  it('acknowledges (stores) a webhook while processing holds every connection of the main pool', async () => {
    host.port.appendGate = new Promise<void>((resolve) => (release = resolve));
    expect(await host.deliver(received(businessId, 'ca', 'gate-a', T0 + 1))).toBe(200);
    expect(await host.deliver(received(businessId, 'cb', 'gate-b', T0 + 2))).toBe(200);
    // Both runs are inside their transactions, waiting for the host: the main pool is empty.
    await eventually(async () => host.port.waitingAtGate === 2, 'two runs to wait for the host');

    expect(await host.deliver(received(businessId, 'cc', 'gate-c', T0 + 3))).toBe(200);
    expect(await status(host, 'gate-c')).toBe('pending');

    host.port.appendGate = null;
    release();
    for (const id of ['gate-a', 'gate-b', 'gate-c']) await host.received(id);
  }, 60_000);

  it('processes an event that arrived while another worker of the process held its conversation', async () => {
    const processor = host.app.get(InboundProcessor);
    host.port.appendGate = new Promise<void>((resolve) => (release = resolve));
    host.port.failingMessageIds.add('wake-late'); // its run ends having settled nothing
    expect(await host.deliver(received(businessId, 'cw', 'wake-late', T0 + 20))).toBe(200);
    await eventually(async () => host.port.waitingAtGate === 1, 'the run to wait for the host');
    // Earlier in TikTok's order, so the new head: its kick's worker finds the conversation held.
    expect(await host.deliver(received(businessId, 'cw', 'wake-early', T0 + 10))).toBe(200);
    await eventually(async () => processor.runningWorkers === 1, 'the second worker to give up');
    host.port.appendGate = null;
    release();
    // No settle() and no sweep: only the holder looking again can reach it.
    await eventually(async () => host.port.messages.has('wake-early'), 'wake-early processed');
    host.port.failingMessageIds.delete('wake-late');
  }, 60_000);

  it('runs at most inboundWorkers drain loops, however many kicks arrive', async () => {
    const processor = host.app.get(InboundProcessor);
    await processor.settle();
    for (let kick = 0; kick < 10; kick++) processor.kick();
    // A kick starts its loop synchronously: only the budget keeps a third from starting.
    expect(processor.runningWorkers).toBe(2);
    await processor.settle();
  });
});

describe('Inbound processing paused by the option', () => {
  let host: LibraryHost;
  let businessId: string;
  let processor: InboundProcessor;

  beforeAll(async () => {
    host = await startLibraryHost('forRoot', { options: { inboundProcessingPaused: true } });
    businessId = await connect(host, 'pausedshop');
    processor = host.app.get(InboundProcessor);
  });

  afterAll(async () => {
    await host?.close();
  });

  it('stores and acknowledges while paused, and processes once resumed', async () => {
    expect(processor.isPaused).toBe(true);
    expect(await host.deliver(received(businessId, 'cp', 'paused-1', T0 + 1))).toBe(200);
    await processor.settle(); // a no-op while paused
    expect(await status(host, 'paused-1')).toBe('pending');
    expect(host.port.messages.has('paused-1')).toBe(false);

    processor.resume();
    await host.received('paused-1');
    expect(await status(host, 'paused-1')).toBe('processed');

    await processor.pause();
    expect(await host.deliver(received(businessId, 'cp', 'paused-2', T0 + 2))).toBe(200);
    await processor.settle();
    expect(await status(host, 'paused-2')).toBe('pending');
    processor.resume();
    await host.received('paused-2');
  });
});

describe('Inbound runs reuse what their earlier events linked', () => {
  let host: LibraryHost;
  let businessId: string;
  let processor: InboundProcessor;

  beforeAll(async () => {
    host = await startLibraryHost('forRoot');
    businessId = await connect(host, 'runshop');
    processor = host.app.get(InboundProcessor);
  });

  afterAll(async () => {
    await host?.close();
  });

  const store = async (envelope: object) => {
    const raw = Buffer.from(JSON.stringify(envelope));
    await host.app.get(WebhookEventStore).save(parseWebhook(raw), raw);
  };
  const callsOf = (method: string) => host.port.calls.filter((c) => c.method === method).length;

  it('links the host contact and conversation once for a run of one conversation', async () => {
    for (let i = 1; i <= 5; i++) await store(received(businessId, 'run-1', `run-1-${i}`, T0 + i));
    const before = { contacts: callsOf('upsertContact'), opens: callsOf('openConversation') };
    await processor.settle();
    for (let i = 1; i <= 5; i++) expect(await status(host, `run-1-${i}`)).toBe('processed');
    expect(callsOf('upsertContact') - before.contacts).toBe(1);
    expect(callsOf('openConversation') - before.opens).toBe(1);
    const { rows } = await host.db.query(
      `SELECT last_inbound_at FROM tiktok_conversations WHERE tiktok_conversation_id = 'run-1'`,
    );
    expect(new Date(rows[0].last_inbound_at).getTime()).toBe(T0 + 5);
  });

  it('undoes what a failing event wrote in the library (its savepoint), whatever ran before it', async () => {
    await store(received(businessId, 'run-3', 'run-3-1', T0 + 20));
    host.port.failingMessageIds.add('run-3-1');
    await processor.settle();
    host.port.failingMessageIds.delete('run-3-1');
    expect(await status(host, 'run-3-1')).toBe('pending'); // to be retried
    // The link to the new conversation was written, then rolled back with the failing event.
    const { rows } = await host.db.query(
      `SELECT count(*)::int AS n FROM tiktok_conversations WHERE tiktok_conversation_id = 'run-3'`,
    );
    expect(rows[0].n).toBe(0);
  });

  it('links again after an event whose link was rolled back is parked in the middle of a run', async () => {
    await store(received(businessId, 'run-2', 'run-2-1', T0 + 10));
    await store(received(businessId, 'run-2', 'run-2-2', T0 + 11));
    // The first event's last attempt: it fails (its link rolled back with it) and is parked.
    await host.db.query(
      `UPDATE tiktok_webhook_events SET attempts = 9 WHERE dedupe_key LIKE '%:run-2-1'`,
    );
    host.port.failingMessageIds.add('run-2-1');
    await processor.settle();
    host.port.failingMessageIds.delete('run-2-1');
    expect(await status(host, 'run-2-1')).toBe('failed');
    expect(await status(host, 'run-2-2')).toBe('processed');
    const { rows } = await host.db.query(
      `SELECT count(*)::int AS n FROM tiktok_conversations WHERE tiktok_conversation_id = 'run-2'`,
    );
    expect(rows[0].n).toBe(1);
  });
});
