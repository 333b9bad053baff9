import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { InboundProcessor } from '../../libs/tiktok-channel/src/testing';
import { followRedirects } from '../support/e2e-harness';
import {
  customerTextEnvelope,
  startLibraryHost,
  webhookEnvelope,
  type LibraryHost,
} from '../support/library-host';
import { BatchingRecordingPort } from '../support/recording-port';
import { SandboxControl } from '../support/sandbox-control';

/** A realistic TikTok time (ms). */
const T0 = 1764000000000;

const customer = customerTextEnvelope;

/** The `im_send_msg` echo TikTok sends for a message the business sent. */
function businessSent(businessId: string, conversationId: string, messageId: string, at: number) {
  return webhookEnvelope('im_send_msg', businessId, {
    conversation_id: conversationId,
    message_id: messageId,
    timestamp: at,
    type: 'text',
    text: { body: `text of ${messageId}` },
    from: 'shop',
    to: 'customer',
    from_user: { id: businessId, role: 'business_account' },
    to_user: { id: `user_${conversationId}`, role: 'personal_account' },
  });
}

/**
 * What processing costs PostgreSQL, counted in statements (never timed): the fixed statements of
 * a run are paid per conversation and per transaction, so they decide the cost of a live stream,
 * where runs are short.
 */
describe('Inbound: statements per run', () => {
  let host: LibraryHost;
  let processor: InboundProcessor;
  let businessId: string;
  let statements: string[] = [];
  let spy: jest.SpyInstance;

  beforeAll(async () => {
    host = await startLibraryHost('forRoot', { helpdeskPort: BatchingRecordingPort });
    processor = host.app.get(InboundProcessor);
    await new SandboxControl(host.sandbox.url).queueConsent('costshop', 'business', 'approve');
    await followRedirects(`${host.url}/tiktok/oauth/authorize`);
    const { rows } = await host.db.query(`SELECT business_id FROM tiktok_accounts`);
    businessId = rows[0].business_id as string;
    const original = PostgresQueryRunner.prototype.query;
    spy = jest.spyOn(PostgresQueryRunner.prototype, 'query').mockImplementation(function (
      this: PostgresQueryRunner,
      ...args: Parameters<typeof original>
    ) {
      statements.push(String(args[0]).replace(/\s+/g, ' ').trim());
      return original.apply(this, args);
    });
  });

  afterAll(async () => {
    spy?.mockRestore();
    await host?.close();
  });

  /**
   * The statements of processing what was stored while paused, leaving out the looks for
   * candidates (paid once per batch of runs, and by every worker that wakes).
   */
  async function processTogether(envelopes: object[]): Promise<string[]> {
    await processor.pause();
    for (const envelope of envelopes) expect(await host.deliver(envelope)).toBe(200);
    statements = [];
    processor.resume();
    await processor.settle();
    return statements
      .filter((sql) => !sql.startsWith('UPDATE tiktok_webhook_events e SET next_attempt_at'))
      .filter((sql) => !sql.startsWith('WITH oldest AS MATERIALIZED'))
      .map((sql) => sql.slice(0, 40));
  }

  const BEGIN = 'START TRANSACTION';
  const CLAIM = 'WITH wanted AS MATERIALIZED ( SELECT w.o';
  const FINISH = 'WITH moved AS ( UPDATE tiktok_conversati';

  it("costs a linked conversation's run four statements, however many messages it holds", async () => {
    await processTogether([customer(businessId, 'k1', 'k1-1', T0 + 1)]);

    const run = await processTogether([
      customer(businessId, 'k1', 'k1-2', T0 + 2),
      customer(businessId, 'k1', 'k1-3', T0 + 3),
      customer(businessId, 'k1', 'k1-4', T0 + 4),
    ]);

    // Begin, claim (lock, events, row locks, account, link), finish (outcomes, reply window), commit.
    expect(run).toEqual([BEGIN, CLAIM, FINISH, 'COMMIT']);
  });

  it("shares those four statements and one appendMessages among several conversations' runs", async () => {
    const conversations = ['k5', 'k6', 'k7'];
    await processTogether(conversations.map((c) => customer(businessId, c, `${c}-1`, T0 + 1)));
    const batchesBefore = (host.port as BatchingRecordingPort).batches().length;

    const runs = await processTogether(
      conversations.flatMap((c) => [
        customer(businessId, c, `${c}-2`, T0 + 2),
        customer(businessId, c, `${c}-3`, T0 + 3),
      ]),
    );

    expect(runs).toEqual([BEGIN, CLAIM, FINISH, 'COMMIT']);
    const batches = (host.port as BatchingRecordingPort).batches().slice(batchesBefore);
    expect(batches).toHaveLength(1);
    // Each conversation's messages in its own order.
    for (const c of conversations)
      expect(batches[0].filter((id) => id.startsWith(`${c}-`))).toEqual([`${c}-2`, `${c}-3`]);
  });

  it("adds only the link's own write for a new conversation", async () => {
    const run = await processTogether([customer(businessId, 'k2', 'k2-1', T0 + 1)]);

    expect(run).toEqual([
      BEGIN,
      CLAIM,
      'SAVEPOINT tiktok_event',
      'INSERT INTO tiktok_conversations (accoun',
      FINISH,
      'COMMIT',
    ]);
  });
  it("drops a transaction's echoes of our own sends with one look-up for all, and no savepoint", async () => {
    await processTogether([
      customer(businessId, 'e1', 'e1-1', T0 + 1),
      customer(businessId, 'e2', 'e2-1', T0 + 1),
    ]);
    // Sends of ours, as the sender leaves them once TikTok has answered with their ids.
    await host.db.query(
      `INSERT INTO tiktok_outbound_messages
         (account_id, conversation_id, host_message_id, part_index, message_type, body, status,
          tiktok_message_id)
       SELECT c.account_id, c.id, 'host-' || m.id, 0, 'text', 'reply', 'sent', m.id
         FROM tiktok_conversations c
         JOIN (VALUES ('e1', 'e1-ours-1'), ('e1', 'e1-ours-2'), ('e2', 'e2-ours-1')) AS m(conv, id)
           ON c.tiktok_conversation_id = m.conv`,
    );
    const callsBefore = host.port.calls.length;

    const run = await processTogether([
      businessSent(businessId, 'e1', 'e1-ours-1', T0 + 2),
      businessSent(businessId, 'e1', 'e1-ours-2', T0 + 3),
      businessSent(businessId, 'e2', 'e2-ours-1', T0 + 2),
    ]);

    expect(run).toEqual([
      BEGIN,
      CLAIM,
      'SELECT tiktok_message_id FROM tiktok_out',
      FINISH,
      'COMMIT',
    ]);
    // Recognised as ours: settled, and nothing reached the host.
    expect(host.port.calls.slice(callsBefore)).toEqual([]);
    const { rows } = await host.db.query(
      `SELECT status, last_error FROM tiktok_webhook_events
        WHERE content->>'message_id' LIKE '%-ours-%'`,
    );
    expect(rows).toEqual(
      Array(3).fill({ status: 'processed', last_error: 'echo of our own send' }),
    );
  });

  function hostLinkCalls(): number {
    return host.port.calls.filter(
      (c) => c.method === 'upsertContact' || c.method === 'openConversation',
    ).length;
  }

  it('asks the host for the contact and conversation once, not again on later runs', async () => {
    await processTogether([customer(businessId, 'k3', 'k3-1', T0 + 1)]);
    const afterFirst = hostLinkCalls();
    expect(afterFirst).toBeGreaterThan(0);

    await processTogether([customer(businessId, 'k3', 'k3-2', T0 + 2)]);
    await processTogether([customer(businessId, 'k3', 'k3-3', T0 + 3)]);

    expect(hostLinkCalls()).toBe(afterFirst);
  });

  it('asks the host again after an event failed (the host may have lost the conversation)', async () => {
    await processTogether([customer(businessId, 'k4', 'k4-1', T0 + 1)]);
    host.port.failingMessageIds.add('k4-2');
    await processTogether([customer(businessId, 'k4', 'k4-2', T0 + 2)]);
    host.port.failingMessageIds.delete('k4-2');
    const beforeRetry = hostLinkCalls();

    await host.db.query(
      `UPDATE tiktok_webhook_events SET next_attempt_at = now() WHERE status = 'pending'`,
    );
    await processor.settle();

    expect(hostLinkCalls()).toBe(beforeRetry + 2);
    expect(host.port.messages.has('k4-2')).toBe(true);
  });
});
