import { newId } from '../../apps/tiktok-sandbox/src/ids';
import { InboundProcessor } from '../../libs/tiktok-channel/src/testing';
import { followRedirects } from '../support/e2e-harness';
import { startLibraryHost, webhookEnvelope, type LibraryHost } from '../support/library-host';
import { SandboxControl } from '../support/sandbox-control';

const T0 = 1764000000000;

/**
 * TikTok can deliver a business's webhooks before its connection completes (or before it is
 * connected here at all). Those events wait, in order, and are processed when it connects;
 * after `earlyWebhookRetentionHours` they are ignored.
 */
describe('Webhooks that arrive before their business connects', () => {
  let host: LibraryHost;
  let processor: InboundProcessor;
  const businessId = newId.businessOpenId('earlyshop');

  beforeAll(async () => {
    host = await startLibraryHost('forRoot');
    processor = host.app.get(InboundProcessor);
  });

  afterAll(async () => {
    await host?.close();
  });

  async function deliver(business: string, id: string, at: number): Promise<void> {
    expect(
      await host.deliver(
        webhookEnvelope('im_receive_msg', business, {
          conversation_id: `c-${business}`,
          message_id: id,
          timestamp: T0 + at,
          type: 'text',
          text: { body: id },
          from_user: { id: 'user_early', role: 'personal_account' },
          to_user: { id: business, role: 'business_account' },
        }),
      ),
    ).toBe(200);
  }

  async function row(id: string) {
    const { rows } = await host.db.query(
      `SELECT status, last_error FROM tiktok_webhook_events WHERE dedupe_key LIKE $1`,
      [`%:${id}`],
    );
    return rows[0];
  }

  it('keeps them waiting, then hands them over in order once the business connects', async () => {
    await deliver(businessId, 'early-2', 2);
    await deliver(businessId, 'early-1', 1);
    await processor.settle();
    expect(host.port.appended()).toEqual([]);
    expect(await row('early-1')).toEqual({
      status: 'pending',
      last_error: 'waiting for the business to connect',
    });

    await new SandboxControl(host.sandbox.url).queueConsent('earlyshop', 'business', 'approve');
    await followRedirects(`${host.url}/tiktok/oauth/authorize`);
    await processor.settle();
    expect(host.port.appended().map((m) => m.tiktokMessageId)).toEqual(['early-1', 'early-2']);
  });

  it('ignores them once they waited longer than earlyWebhookRetentionHours', async () => {
    await deliver('biz_never_connects', 'never-1', 3);
    await processor.settle();
    expect((await row('never-1')).status).toBe('pending');
    await host.db.query(
      `UPDATE tiktok_webhook_events SET received_at = now() - interval '25 hours', next_attempt_at = now()
        WHERE dedupe_key LIKE '%:never-1'`,
    );
    await processor.settle();
    expect(await row('never-1')).toEqual({
      status: 'ignored',
      last_error: 'no connected account for this business',
    });
  });
});
