import { InboundProcessor } from '../../libs/tiktok-channel/src/testing';
import { LOOK_WINDOW } from '../../libs/tiktok-channel/src/inbound/candidate-look';
import { followRedirects } from '../support/e2e-harness';
import { startLibraryHost, webhookEnvelope, type LibraryHost } from '../support/library-host';
import { SandboxControl } from '../support/sandbox-control';

/** A realistic TikTok time (ms). */
const T0 = 1764000000000;

/**
 * The look for candidates reads the oldest pending events first: a due conversation beyond them
 * must still be found when they all wait.
 */
describe('Inbound: the look for candidates', () => {
  let host: LibraryHost;
  let businessId: string;

  beforeAll(async () => {
    host = await startLibraryHost('forRoot');
    await new SandboxControl(host.sandbox.url).queueConsent('lookshop', 'business', 'approve');
    await followRedirects(`${host.url}/tiktok/oauth/authorize`);
    const { rows } = await host.db.query(`SELECT business_id FROM tiktok_accounts`);
    businessId = rows[0].business_id as string;
  });

  afterAll(async () => {
    await host?.close();
  });

  it('finds a due conversation behind more waiting events than one look reads', async () => {
    // Older than anything else, and waiting (a held-back conversation, say): they fill the window.
    await host.db.query(
      `INSERT INTO tiktok_webhook_events
         (dedupe_key, event, business_id, tiktok_conversation_id, event_timestamp, raw_body, content,
          next_attempt_at)
       SELECT 'waiting:' || n, 'im_receive_msg', $1, 'c-waiting', $2::bigint + n, '{}', '{}'::jsonb,
              now() + interval '1 day'
         FROM generate_series(1, $3::int) AS n`,
      [businessId, T0, LOOK_WINDOW + 1],
    );
    const due = webhookEnvelope('im_receive_msg', businessId, {
      conversation_id: 'c-due',
      message_id: 'behind-the-window',
      timestamp: T0 + 10 * LOOK_WINDOW,
      type: 'text',
      text: { body: 'hello' },
      from: 'customer',
      to: 'lookshop',
      from_user: { id: 'user_due', role: 'personal_account' },
      to_user: { id: businessId, role: 'business_account' },
    });
    expect(await host.deliver(due)).toBe(200);

    await host.app.get(InboundProcessor).settle();

    expect(host.port.messages.has('behind-the-window')).toBe(true);
  });
});
