import { Client } from 'pg';
import { TiktokRetentionService } from '../../libs/tiktok-channel/src';
import { startLibraryHost, type LibraryHost } from '../support/library-host';

/**
 * Rows of every kind and age, then one retention run: what goes, what loses its body, what stays.
 * A batch size of 3 makes every step take several batches.
 */
describe('Retention', () => {
  let host: LibraryHost;
  let retention: TiktokRetentionService;
  let conversationId: string;
  let accountId: string;
  let sequence = 0;

  beforeAll(async () => {
    host = await startLibraryHost('forRoot', {
      options: {
        retentionBatchSize: 3,
        retention: {
          webhookBodyDays: 7,
          webhookEventDays: 30,
          parkedEventDays: 30,
          outboundMessageDays: 30,
        },
      },
    });
    retention = host.app.get(TiktokRetentionService);
    const { rows } = await host.db.query(
      `INSERT INTO tiktok_accounts (tenant, business_id, username, display_name, status,
          access_token_enc, refresh_token_enc, access_token_expires_at, refresh_token_expires_at)
       VALUES ('t1', 'biz_keep', 'keep', 'Keep', 'active', 'x', 'x', now(), now()) RETURNING id`,
    );
    accountId = rows[0].id;
    const conversation = await host.db.query(
      `INSERT INTO tiktok_conversations (account_id, tiktok_conversation_id, tiktok_user_id,
          host_inbox_id, host_contact_id, host_conversation_id)
       VALUES ($1, 'c1', 'u1', 'i1', 'k1', 'h1') RETURNING id`,
      [accountId],
    );
    conversationId = conversation.rows[0].id;
  });

  afterAll(async () => {
    await host?.close();
  });

  /** An event received `receivedDaysAgo` and (unless pending/failed) processed `processedDaysAgo`. */
  async function event(
    label: string,
    status: 'pending' | 'processed' | 'ignored' | 'failed',
    receivedDaysAgo: number,
    processedDaysAgo: number | null = receivedDaysAgo,
  ): Promise<string> {
    const { rows } = await host.db.query(
      `INSERT INTO tiktok_webhook_events (dedupe_key, event, business_id, raw_body, content, status,
          received_at, processed_at)
       VALUES ($1, 'im_receive_msg', 'biz_keep', $2, $3, $4,
               now() - make_interval(days => $5), now() - make_interval(days => $6)) RETURNING id`,
      [
        `${label}:${++sequence}`,
        `{"text":"${label}"}`,
        JSON.stringify({ text: label }),
        status,
        receivedDaysAgo,
        status === 'pending' || status === 'failed' ? null : processedDaysAgo,
      ],
    );
    return rows[0].id;
  }

  async function sequential<T>(count: number, make: () => Promise<T>): Promise<T[]> {
    const made: T[] = [];
    for (let i = 0; i < count; i++) made.push(await make());
    return made;
  }

  async function events(): Promise<Map<string, { raw_body: string; content: unknown }>> {
    // raw_body is bytea (the bytes exactly as TikTok sent them): read it back as text here.
    const { rows } = await host.db.query(
      `SELECT id, convert_from(raw_body, 'UTF8') AS raw_body, content FROM tiktok_webhook_events`,
    );
    return new Map(rows.map((row) => [row.id, { raw_body: row.raw_body, content: row.content }]));
  }

  async function outbound(status: string, daysAgo: number): Promise<string> {
    const { rows } = await host.db.query(
      `INSERT INTO tiktok_outbound_messages (account_id, conversation_id, host_message_id, part_index,
          message_type, body, status, created_at)
       VALUES ($1, $2, $3, 0, 'TEXT', 'hello', $4, now() - make_interval(days => $5)) RETURNING id`,
      [accountId, conversationId, `m${++sequence}`, status, daysAgo],
    );
    return rows[0].id;
  }

  async function state(expiredMinutesAgo: number): Promise<string> {
    const nonce = `n${++sequence}`;
    await host.db.query(
      `INSERT INTO tiktok_oauth_states (nonce, context, tenant, expires_at)
       VALUES ($1, '{}', 't1', now() - make_interval(mins => $2))`,
      [nonce, expiredMinutesAgo],
    );
    return nonce;
  }

  it('drops old bodies, deletes old rows, and keeps everything pending, unfinished or young', async () => {
    // Inserted oldest first, as intake would have (ids grow with arrival).
    const deleted = [
      ...(await sequential(4, () => event('processed-31d', 'processed', 31))),
      await event('ignored-31d', 'ignored', 31),
    ];
    const parkedOld = await event('failed-31d', 'failed', 31);
    const pendingOld = await event('pending-40d', 'pending', 40);
    const processedLate = await event('received-20d-processed-2d', 'processed', 20, 2);
    const parkedYoung = await event('failed-10d', 'failed', 10);
    const stripped = [
      ...(await sequential(5, () => event('processed-8d', 'processed', 8))),
      await event('ignored-8d', 'ignored', 8),
    ];
    const whole = [
      pendingOld,
      processedLate,
      parkedYoung,
      await event('processed-6d', 'processed', 6),
    ];
    const sentOld = await outbound('sent', 31);
    const failedOld = await outbound('failed', 31);
    const readOld = await outbound('read', 31);
    const keptParts = [
      await outbound('pending', 31),
      await outbound('sending', 31),
      await outbound('sent', 29),
    ];
    await state(120); // expired two hours ago: goes
    const inGrace = await state(10);
    const live = await state(-10);

    const run = await retention.run();

    expect(run).toEqual({
      webhookBodiesDropped: 6,
      webhookEventsDeleted: 5,
      parkedEventsDeleted: 1,
      outboundMessagesDeleted: 3,
      outboundRequestsDeleted: 0,
      oauthStatesDeleted: 1,
    });
    const left = await events();
    for (const id of stripped) expect(left.get(id)).toEqual({ raw_body: '', content: null });
    for (const id of [...deleted, parkedOld]) expect(left.has(id)).toBe(false);
    for (const id of whole) expect(left.get(id)?.raw_body).not.toBe('');
    for (const id of whole) expect(left.get(id)?.content).not.toBeNull();

    const parts = await host.db.query(`SELECT id FROM tiktok_outbound_messages`);
    expect(parts.rows.map((row) => row.id).sort()).toEqual([...keptParts].sort());
    expect(parts.rows.map((row) => row.id)).not.toEqual(
      expect.arrayContaining([sentOld, failedOld, readOld]),
    );
    const states = await host.db.query(`SELECT nonce FROM tiktok_oauth_states`);
    expect(states.rows.map((row) => row.nonce).sort()).toEqual([inGrace, live].sort());
  });

  it('deletes a message status only once it is final, reported, old and without parts', async () => {
    async function request(
      status: string,
      reported: string | null,
      daysAgo: number,
      withPart = false,
    ): Promise<string> {
      const id = `r${++sequence}`;
      await host.db.query(
        `INSERT INTO tiktok_outbound_requests (host_message_id, account_id, conversation_id, status,
            reported_status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, now() - make_interval(days => $6), now() - make_interval(days => $6))`,
        [id, accountId, conversationId, status, reported, daysAgo],
      );
      if (withPart) {
        await host.db.query(
          `INSERT INTO tiktok_outbound_messages (account_id, conversation_id, host_message_id,
              part_index, message_type, body, status)
           VALUES ($1, $2, $3, 0, 'TEXT', 'hello', 'pending')`,
          [accountId, conversationId, id],
        );
      }
      return id;
    }
    const gone = [await request('sent', 'sent', 31), await request('failed', 'failed', 31)];
    const kept = [
      await request('sent', 'pending', 31), // the host was never told it was sent
      await request('pending', 'pending', 31),
      await request('sent', 'sent', 29),
      await request('sent', 'sent', 31, true), // a part of it is still there
    ];

    const run = await retention.run();

    expect(run.outboundRequestsDeleted).toBe(2);
    const { rows } = await host.db.query(`SELECT host_message_id FROM tiktok_outbound_requests`);
    const left = rows.map((row) => row.host_message_id);
    expect(left.sort()).toEqual([...kept].sort());
    expect(left).not.toEqual(expect.arrayContaining(gone));
  });

  it('drops the body of an event processed late on a later run', async () => {
    await host.db.query(`DELETE FROM tiktok_webhook_events`);
    const late = await event('late', 'pending', 12);
    await retention.run();
    expect((await events()).get(late)?.raw_body).not.toBe('');

    await host.db.query(
      `UPDATE tiktok_webhook_events SET status = 'processed', processed_at = now() - interval '8 days' WHERE id = $1`,
      [late],
    );
    await retention.run();

    expect((await events()).get(late)).toEqual({ raw_body: '', content: null });
  });

  it('passes over rows another transaction holds instead of waiting for them', async () => {
    await host.db.query(`DELETE FROM tiktok_webhook_events`);
    const held = await event('held', 'processed', 31);
    const other = await event('other', 'processed', 31);
    const locker = new Client({ connectionString: host.databaseUrl });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query(`SELECT 1 FROM tiktok_webhook_events WHERE id = $1 FOR UPDATE`, [held]);

      // Resolving while the lock is still held is the proof it did not wait.
      const run = await retention.run();

      expect(run.webhookEventsDeleted).toBe(1);
      const left = await events();
      expect(left.has(held)).toBe(true);
      expect(left.has(other)).toBe(false);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    await retention.run();
    expect((await events()).has(held)).toBe(false);
  });
});
