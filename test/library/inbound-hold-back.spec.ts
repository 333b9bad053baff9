import { EventEmitter2 } from '@nestjs/event-emitter';
import { InboundProcessor } from '../../libs/tiktok-channel/src/testing';
import { MAX_ATTEMPTS } from '../../libs/tiktok-channel/src/inbound/inbound-processor.service';
import { followRedirects } from '../support/e2e-harness';
import { startLibraryHost, webhookEnvelope, type LibraryHost } from '../support/library-host';
import { SandboxControl } from '../support/sandbox-control';

const T0 = 1764000000000;

/**
 * A failing event holds back the later events of its conversation (never of others) until it
 * succeeds or is parked; once parked, the rest go on and the host is told.
 */
describe('A failing inbound event holds back its conversation', () => {
  let host: LibraryHost;
  let businessId: string;
  let processor: InboundProcessor;
  const published: Array<{ name: string; payload: Record<string, unknown> }> = [];

  beforeAll(async () => {
    host = await startLibraryHost('forRoot');
    await new SandboxControl(host.sandbox.url).queueConsent('holdshop', 'business', 'approve');
    await followRedirects(`${host.url}/tiktok/oauth/authorize`);
    const { rows } = await host.db.query(`SELECT business_id FROM tiktok_accounts`);
    businessId = rows[0].business_id;
    processor = host.app.get(InboundProcessor);
    host.app.get(EventEmitter2).onAny((name: string | string[], payload: unknown) => {
      published.push({ name: String(name), payload: payload as Record<string, unknown> });
    });
  });

  afterAll(async () => {
    await host?.close();
  });

  async function deliver(conversation: string, id: string, at: number): Promise<void> {
    expect(
      await host.deliver(
        webhookEnvelope('im_receive_msg', businessId, {
          conversation_id: conversation,
          message_id: id,
          timestamp: T0 + at,
          type: 'text',
          text: { body: id },
          from_user: { id: `user_${conversation}`, role: 'personal_account' },
          to_user: { id: businessId, role: 'business_account' },
        }),
      ),
    ).toBe(200);
  }

  const appendedIn = (prefix: string) =>
    [...host.port.messages.keys()].filter((id) => id.startsWith(prefix));

  async function attempts(id: string): Promise<{ status: string; attempts: number }> {
    const { rows } = await host.db.query(
      `SELECT status, attempts FROM tiktok_webhook_events WHERE dedupe_key LIKE $1`,
      [`%:${id}`],
    );
    return rows[0];
  }

  async function retryNow(): Promise<void> {
    await host.db.query(
      `UPDATE tiktok_webhook_events SET next_attempt_at = now() WHERE status = 'pending'`,
    );
    await processor.settle();
  }

  it('holds the later messages back while the earlier one is retried, then hands all over in order', async () => {
    host.port.failingMessageIds.add('r-2');
    await deliver('c-retry', 'r-1', 1);
    await deliver('c-retry', 'r-2', 2);
    await deliver('c-retry', 'r-3', 3);
    await deliver('c-other', 'o-1', 4); // another conversation is not held back
    await processor.settle();
    expect(appendedIn('r-')).toEqual(['r-1']);
    expect(appendedIn('o-')).toEqual(['o-1']);
    await retryNow();
    expect(await attempts('r-2')).toEqual({ status: 'pending', attempts: 2 });
    expect(appendedIn('r-')).toEqual(['r-1']);
    expect(await attempts('r-3')).toEqual({ status: 'pending', attempts: 0 });

    host.port.failingMessageIds.delete('r-2');
    await retryNow();
    expect(appendedIn('r-')).toEqual(['r-1', 'r-2', 'r-3']);
  });

  it('parks an event that failed every attempt, lets the rest go on and tells the host', async () => {
    host.port.failingMessageIds.add('p-2');
    await deliver('c-park', 'p-1', 10);
    await deliver('c-park', 'p-2', 11);
    await deliver('c-park', 'p-3', 12);
    await processor.settle();
    expect(appendedIn('p-')).toEqual(['p-1']);
    // Jump to the last attempt instead of waiting out the backoff.
    await host.db.query(
      `UPDATE tiktok_webhook_events SET attempts = $1, next_attempt_at = now() WHERE dedupe_key LIKE '%:p-2'`,
      [MAX_ATTEMPTS - 1],
    );
    await processor.settle();
    expect(await attempts('p-2')).toEqual({ status: 'failed', attempts: MAX_ATTEMPTS });
    expect(appendedIn('p-')).toEqual(['p-1', 'p-3']);
    const notes = [...host.port.notes.values()].filter((note) => note.kind === 'event_parked');
    expect(notes).toEqual([
      expect.objectContaining({
        conversationId: host.port.messages.get('p-1')?.message.conversationId,
        data: expect.objectContaining({ tiktokMessageId: 'p-2' }),
      }),
    ]);
    expect(published).toContainEqual(
      expect.objectContaining({
        name: 'tiktok.inbound.event_parked',
        payload: expect.objectContaining({
          tiktokMessageId: 'p-2',
          tiktokConversationId: 'c-park',
        }),
      }),
    );
  });
});
