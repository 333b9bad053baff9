import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { DataSource } from 'typeorm';
import type { InboundAttachmentUpload, TiktokAccountView } from 'tiktok-channel';
import { AttachmentTooLargeError } from '../../apps/helpdesk/src/attachments/attachment-too-large.error';
import { InboundAttachmentStore } from '../../apps/helpdesk/src/attachments/inbound-attachment.store';
import { HelpdeskTiktokAdapter } from '../../apps/helpdesk/src/tiktok/helpdesk-tiktok.adapter';
import { openHelpdeskDatabase, type HelpdeskDatabase } from '../support/helpdesk-database';

const account: TiktokAccountView = {
  accountId: 'acct-1',
  businessId: 'biz_0001',
  username: 'shopdemo',
  displayName: 'Shop Demo',
  status: 'active',
  scopes: ['message.list.read'],
  accessTokenExpiresAt: new Date('2030-01-01T00:00:00Z'),
  refreshTokenExpiresAt: new Date('2031-01-01T00:00:00Z'),
};

interface Ids {
  inboxId: string;
  contactId: string;
  conversationId: string;
}

/** Polls until the check passes: proves something happened without timing it. */
async function eventually(check: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

describe('HelpdeskTiktokAdapter: attachments, reactions, notes and message details', () => {
  let database: HelpdeskDatabase;
  let dataSource: DataSource;
  let adapter: HelpdeskTiktokAdapter;
  let directory: string;
  let ids: Ids;

  beforeAll(async () => {
    database = await openHelpdeskDatabase();
    dataSource = database.dataSource;
  });

  afterAll(async () => {
    await database?.close();
  });

  beforeEach(async () => {
    await dataSource.query('TRUNCATE inboxes, contacts, conversations, messages CASCADE');
    directory = await mkdtemp(join(tmpdir(), 'adapter-inbound-'));
    adapter = new HelpdeskTiktokAdapter(
      dataSource,
      new InboundAttachmentStore(directory, dataSource),
    );
    ids = await conversation('conv_1', 'user_1');
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  async function conversation(tiktokConversationId: string, tiktokUserId: string): Promise<Ids> {
    const { inboxId } = await adapter.upsertInbox({ tenant: 'demo', account });
    const { contactId } = await adapter.upsertContact({ inboxId, tiktokUserId });
    const { conversationId } = await adapter.openConversation({
      inboxId,
      contactId,
      tiktokConversationId,
    });
    return { inboxId, contactId, conversationId };
  }

  function upload(
    body: NodeJS.ReadableStream,
    overrides: Partial<InboundAttachmentUpload> = {},
  ): InboundAttachmentUpload {
    return {
      inboxId: ids.inboxId,
      conversationId: ids.conversationId,
      tiktokMessageId: 'msg_img_1',
      index: 0,
      kind: 'image',
      contentType: 'image/png',
      fileName: 'photo.png',
      maxBytes: 1024 * 1024,
      body,
      ...overrides,
    };
  }

  async function files(): Promise<string[]> {
    return (await readdir(directory)).sort();
  }

  async function rows(table: string): Promise<number> {
    const [row] = await dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM ${table}`,
    );
    return row.n;
  }

  async function message(tiktokMessageId: string, content = 'hello') {
    return adapter.appendMessage({
      direction: 'incoming',
      ...ids,
      tiktokMessageId,
      content,
      attachments: [],
      sentAt: new Date('2026-11-25T10:00:00Z'),
    });
  }

  describe('storeAttachment', () => {
    it('writes the bytes to one file in the directory and answers the URL that serves them and their size', async () => {
      const bytes = Buffer.from('\x89PNG fake image bytes');

      const stored = await adapter.storeAttachment(upload(Readable.from([bytes])));

      expect(stored.size).toBe(bytes.length);
      const [file] = await files();
      expect(stored.url).toBe(`/api/inbound-attachments/${file}`);
      expect(await readFile(join(directory, file))).toEqual(bytes);
      const [row] = await dataSource.query<Array<Record<string, unknown>>>(
        `SELECT conversation_id, tiktok_message_id, position, kind, content_type, file_name, size
           FROM inbound_attachments`,
      );
      expect(row).toEqual({
        conversation_id: ids.conversationId,
        tiktok_message_id: 'msg_img_1',
        position: 0,
        kind: 'image',
        content_type: 'image/png',
        file_name: 'photo.png',
        size: bytes.length,
      });
    });

    it('writes the file while the bytes still arrive, instead of holding the whole video in memory', async () => {
      const body = new PassThrough();
      const storing = adapter.storeAttachment(
        upload(body, { kind: 'video', contentType: 'video/mp4', fileName: 'clip.mp4' }),
      );
      body.write(Buffer.alloc(64 * 1024, 1));

      // The first chunk is on disk before the stream has ended.
      await eventually(async () => {
        const [part] = await files();
        expect(part).toMatch(/\.part$/);
        expect((await stat(join(directory, part))).size).toBe(64 * 1024);
      });
      body.end(Buffer.alloc(1024, 2));

      const stored = await storing;
      expect(stored.size).toBe(65 * 1024);
      expect(await files()).toEqual([stored.url.split('/').pop()]);
    });

    it('refuses bytes over the cap with a typed error, and keeps neither a file nor a row', async () => {
      const chunks = [Buffer.alloc(600), Buffer.alloc(600)];

      await expect(
        adapter.storeAttachment(upload(Readable.from(chunks), { maxBytes: 1000 })),
      ).rejects.toBeInstanceOf(AttachmentTooLargeError);

      expect(await files()).toEqual([]);
      expect(await rows('inbound_attachments')).toBe(0);
    });

    it('leaves no part file when the very first chunk is over the cap (the file may still be opening)', async () => {
      for (let attempt = 0; attempt < 20; attempt++) {
        await expect(
          adapter.storeAttachment(
            upload(Readable.from([Buffer.alloc(2000)]), { maxBytes: 1000, index: attempt }),
          ),
        ).rejects.toBeInstanceOf(AttachmentTooLargeError);
      }

      expect(await files()).toEqual([]);
    });

    it('accepts exactly the cap', async () => {
      const stored = await adapter.storeAttachment(
        upload(Readable.from([Buffer.alloc(1000)]), { maxBytes: 1000 }),
      );

      expect(stored.size).toBe(1000);
    });

    it('refuses a download announced over the cap before reading it', async () => {
      const body = new PassThrough();

      await expect(
        adapter.storeAttachment(upload(body, { maxBytes: 1000, declaredSize: 5000 })),
      ).rejects.toBeInstanceOf(AttachmentTooLargeError);

      expect(await files()).toEqual([]);
    });

    it('gives a retried event the first file back, and keeps one file', async () => {
      const first = await adapter.storeAttachment(upload(Readable.from([Buffer.from('first')])));
      const again = await adapter.storeAttachment(upload(Readable.from([Buffer.from('second')])));

      expect(again).toEqual(first);
      const [file] = await files();
      expect(await files()).toHaveLength(1);
      expect(await readFile(join(directory, file), 'utf8')).toBe('first');
      expect(await rows('inbound_attachments')).toBe(1);
    });

    it('keeps one file when the same attachment is stored twice at once', async () => {
      const [a, b] = await Promise.all([
        adapter.storeAttachment(upload(Readable.from([Buffer.from('one')]))),
        adapter.storeAttachment(upload(Readable.from([Buffer.from('one')]))),
      ]);

      expect(b.url).toBe(a.url);
      expect(await files()).toHaveLength(1);
      expect(await rows('inbound_attachments')).toBe(1);
    });

    it('keeps the attachments of one message apart by their position', async () => {
      const first = await adapter.storeAttachment(upload(Readable.from([Buffer.from('a')])));
      const second = await adapter.storeAttachment(
        upload(Readable.from([Buffer.from('b')]), { index: 1 }),
      );

      expect(second.url).not.toBe(first.url);
      expect(await files()).toHaveLength(2);
    });
  });

  describe('applyReaction', () => {
    /** The active reactions the helpdesk shows on a message (joined the way the API joins them). */
    async function shownOn(tiktokMessageId: string): Promise<string[]> {
      const found = await dataSource.query<Array<{ emoji: string }>>(
        `SELECT r.emoji FROM message_reactions r
           JOIN messages m ON m.conversation_id = r.conversation_id AND m.external_id = r.tiktok_message_id
          WHERE m.external_id = $1 AND r.active ORDER BY r.at`,
        [tiktokMessageId],
      );
      return found.map((row) => row.emoji);
    }

    async function reactions(): Promise<
      Array<{ emoji: string; reacted_by: string; active: boolean }>
    > {
      return dataSource.query(
        `SELECT emoji, reacted_by, active FROM message_reactions ORDER BY emoji, reacted_by`,
      );
    }

    function reaction(operation: 'add' | 'remove', at: string, emoji = '❤️', target = 'msg_1') {
      return adapter.applyReaction({
        inboxId: ids.inboxId,
        conversationId: ids.conversationId,
        tiktokMessageId: target,
        by: 'customer',
        operation,
        emoji,
        at: new Date(at),
      });
    }

    it('adds a reaction to the message it targets, once however often it arrives', async () => {
      await message('msg_1');

      expect(await reaction('add', '2026-11-25T10:01:00Z')).toEqual({ applied: true });
      expect(await reaction('add', '2026-11-25T10:01:00Z')).toEqual({ applied: true });

      expect(await reactions()).toEqual([{ emoji: '❤️', reacted_by: 'customer', active: true }]);
      expect(await rows('messages')).toBe(1);
    });

    it('removes it, and a late copy of the older add does not bring it back', async () => {
      await message('msg_1');
      await reaction('add', '2026-11-25T10:01:00Z');

      await reaction('remove', '2026-11-25T10:02:00Z');
      expect(await reactions()).toEqual([{ emoji: '❤️', reacted_by: 'customer', active: false }]);

      await reaction('add', '2026-11-25T10:01:00Z');
      expect(await reactions()).toEqual([{ emoji: '❤️', reacted_by: 'customer', active: false }]);
    });

    it('answers applied: false for a message the helpdesk does not have yet, and shows the reaction once it arrives', async () => {
      expect(await reaction('add', '2026-11-25T10:01:00Z', '👍', 'msg_later')).toEqual({
        applied: false,
      });

      await message('msg_later');

      expect(await shownOn('msg_later')).toEqual(['👍']);
    });

    it('answers applied: false when the target belongs to another conversation, and leaves that message alone', async () => {
      const own = ids;
      ids = await conversation('conv_2', 'user_2');
      await message('msg_elsewhere');
      ids = own;

      expect(await reaction('add', '2026-11-25T10:01:00Z', '👍', 'msg_elsewhere')).toEqual({
        applied: false,
      });
      expect(await shownOn('msg_elsewhere')).toEqual([]);
    });
  });

  describe('appendNote', () => {
    function note(key: string, text: string) {
      return adapter.appendNote({
        inboxId: ids.inboxId,
        conversationId: ids.conversationId,
        key,
        kind: 'referral',
        text,
        data: { adId: 'ad_9', source: 'ad' },
        at: new Date('2026-11-25T09:59:00Z'),
      });
    }

    it('stores a note in the conversation once per key', async () => {
      await note('referral:evt_1', 'Came from the ad "Winter sale"');
      await note('referral:evt_1', 'Came from the ad "Winter sale"');
      await note('referral:evt_2', 'Came from the post 7301');

      const stored = await dataSource.query<Array<Record<string, unknown>>>(
        `SELECT key, kind, text, data FROM conversation_notes ORDER BY key`,
      );
      expect(stored).toEqual([
        {
          key: 'referral:evt_1',
          kind: 'referral',
          text: 'Came from the ad "Winter sale"',
          data: { adId: 'ad_9', source: 'ad' },
        },
        {
          key: 'referral:evt_2',
          kind: 'referral',
          text: 'Came from the post 7301',
          data: { adId: 'ad_9', source: 'ad' },
        },
      ]);
    });
  });

  describe('appendMessage', () => {
    it("keeps TikTok's type, the quoted message, the follower flag, the auto-message type and an unknown type's raw content", async () => {
      await adapter.appendMessage({
        direction: 'incoming',
        ...ids,
        tiktokMessageId: 'msg_q',
        content: 'this one',
        attachments: [],
        sentAt: new Date('2026-11-25T10:00:00Z'),
        tiktokType: 'hologram',
        replyTo: { tiktokMessageId: 'msg_1' },
        isFollower: true,
        autoMessageType: 'welcome',
        raw: { hologram: { depth: 3 } },
      });

      const [row] = await dataSource.query<Array<Record<string, unknown>>>(
        `SELECT tiktok_type, reply_to_external_id, sent_from, is_follower, auto_message_type, raw
           FROM messages`,
      );
      expect(row).toEqual({
        tiktok_type: 'hologram',
        reply_to_external_id: 'msg_1',
        sent_from: null,
        is_follower: true,
        auto_message_type: 'welcome',
        raw: { hologram: { depth: 3 } },
      });
    });

    it('marks an echo as sent from the TikTok app unless TikTok says where it was typed', async () => {
      const echo = {
        direction: 'outgoing' as const,
        inboxId: ids.inboxId,
        conversationId: ids.conversationId,
        content: 'typed on the phone',
        attachments: [],
        sentAt: new Date('2026-11-25T10:00:00Z'),
      };
      await adapter.appendMessage({ ...echo, tiktokMessageId: 'echo_1' });
      await adapter.appendMessage({ ...echo, tiktokMessageId: 'echo_2', sentFrom: 'tiktok_web' });

      const stored = await dataSource.query<Array<{ external_id: string; sent_from: string }>>(
        `SELECT external_id, sent_from FROM messages ORDER BY external_id`,
      );
      expect(stored).toEqual([
        { external_id: 'echo_1', sent_from: 'tiktok_app' },
        { external_id: 'echo_2', sent_from: 'tiktok_web' },
      ]);
    });
  });
});
