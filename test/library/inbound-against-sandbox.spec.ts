import type { InboundMessage } from '../../libs/tiktok-channel/src';
import { InboundProcessor } from '../../libs/tiktok-channel/src/testing';
import { eventually, followRedirects, post } from '../support/e2e-harness';
import { startLibraryHost, type LibraryHost } from '../support/library-host';
import { SandboxControl } from '../support/sandbox-control';

/** Wire shapes the sandbox can produce, as real TikTok does. */
const SHAPES = [
  {},
  { casing: 'rest', content: 'object', ids: 'number', timestamps: 's' },
  { content: 'object', timestamps: 's', sender: 'unique_identifier', toUser: false },
  { casing: 'rest', ids: 'number', sender: 'both' },
] as const;

const TYPES = ['text', 'image', 'video', 'sticker', 'emoji', 'share_post'] as const;

/**
 * The library against the sandbox's own webhooks, media/download, conversation/list and
 * content/list (written from the wire contract, independently of the library's client): every
 * type in several wire shapes, EEA, reactions, referrals, receipts.
 */
describe('Inbound against the sandbox', () => {
  let host: LibraryHost;
  let sandbox: SandboxControl;
  let businessId: string;
  let processor: InboundProcessor;

  beforeAll(async () => {
    host = await startLibraryHost('forRoot');
    sandbox = new SandboxControl(host.sandbox.url);
    await sandbox.queueConsent('realshop', 'business', 'approve');
    await followRedirects(`${host.url}/tiktok/oauth/authorize`);
    const { rows } = await host.db.query(`SELECT business_id FROM tiktok_accounts`);
    businessId = rows[0].business_id;
    processor = host.app.get(InboundProcessor);
  });

  afterAll(async () => {
    await host?.close();
  });

  async function control<T>(path: string, body: unknown): Promise<T> {
    const response = await post<T>(`${host.sandbox.url}/sandbox/${path}`, body);
    expect(response.status).toBeLessThan(300);
    return response.body;
  }

  async function write(userId: string, fields: Record<string, unknown>) {
    return control<{ conversationId: string; messageId: string; mediaId?: string; url?: string }>(
      'messages',
      { fromUserId: userId, toBusinessId: businessId, ...fields },
    );
  }

  describe.each(SHAPES.map((shape, index) => [index, shape] as const))(
    'wire shape %i',
    (index, shape) => {
      it.each(TYPES)('lands one readable %s', async (type) => {
        const { userId: user } = await control<{ userId: string }>('users', {
          username: `fan${index}${type}`.replace(/_/g, ''),
          displayName: 'Fan',
          numericId: true,
        });
        const sent = await write(user, { type, text: `hello ${index}`, wire: shape });
        const message = (await host.received(String(sent.messageId))) as InboundMessage;
        expect(message.direction).toBe('incoming');
        expect(message.tiktokType).toBe(type);
        expect(Math.abs(message.sentAt.getTime() - Date.now())).toBeLessThan(24 * 3600 * 1000);
        if (type === 'text') expect(message.content).toBe(`hello ${index}`);
        if (type === 'image' || type === 'video') {
          expect(message.attachments[0]).toMatchObject({
            kind: type,
            contentType: type === 'image' ? 'image/png' : 'video/mp4',
            size: expect.any(Number),
          });
          const stored = host.port.attachments.get(`${sent.messageId}/0`);
          expect(stored?.bytes.length).toBe(message.attachments[0].size);
          expect(stored?.bytes.subarray(0, 8).toString('latin1')).toMatch(
            type === 'image' ? /^\x89PNG/ : /ftyp/,
          );
        }
        if (type === 'sticker' || type === 'emoji') {
          expect(message.attachments[0]).toMatchObject({ kind: type, url: sent.url });
        }
        if (type === 'share_post') {
          expect(message.content).toMatch(/^https:\/\/www\.tiktok\.com\//);
          expect(message.attachments[0]).toMatchObject({ kind: 'share_post' });
        }
      });
    },
  );

  it('hands an EEA message over once, even when the normal event is delivered too', async () => {
    const elsa = await sandbox.createUser('elsa.de', 'Elsa');
    const sent = await write(elsa, { text: 'Hallo!', deliver: 'both' });
    await host.received(sent.messageId);
    await control('webhooks/redeliver', { messageId: sent.messageId });
    const after = await write(elsa, { text: 'Noch da?', deliver: 'eea' });
    await host.received(after.messageId);
    const ids = host.port.appended().map((m) => m.tiktokMessageId);
    expect(ids.filter((id) => id === sent.messageId)).toHaveLength(1);
    expect(ids.indexOf(sent.messageId)).toBeLessThan(ids.indexOf(after.messageId));
  });

  it('applies a reaction, notes a referral, and counts only the customer reading', async () => {
    const mia = await sandbox.createUser('mia.r', 'Mia');
    const sent = await write(mia, { text: 'react to this' });
    await host.received(sent.messageId);
    await control('reactions', { messageId: sent.messageId, emoji: '👍' });
    await eventually(async () => {
      await processor.settle();
      return host.port.reactions.find((r) => r.tiktokMessageId === sent.messageId);
    }, 'the reaction to reach the host');
    expect(host.port.messages.size).toBe(
      new Set(host.port.appended().map((m) => m.tiktokMessageId)).size,
    );

    await control('referrals', { fromUserId: mia, toBusinessId: businessId, adId: 'ad-1' });
    const note = await eventually(async () => {
      await processor.settle();
      return [...host.port.notes.values()].find((n) => n.kind === 'referral');
    }, 'the referral note');
    expect(note.text).toMatch(/came from an ad/);
    expect(note.data).toMatchObject({ 'ad.ad_id': 'ad-1' });

    const before = host.port.calls.filter((c) => c.method === 'updateMessageStatus').length;
    await control('read-receipts', { conversationId: sent.conversationId, by: 'business' });
    await eventually(async () => {
      await processor.settle();
      const { rows } = await host.db.query(
        `SELECT last_error FROM tiktok_webhook_events WHERE event = 'im_mark_read_msg' AND status = 'ignored'`,
      );
      return rows.find((r) => r.last_error === "the business's own read receipt");
    }, 'the business receipt to be ignored');
    expect(host.port.calls.filter((c) => c.method === 'updateMessageStatus').length).toBe(before);
  });
});
