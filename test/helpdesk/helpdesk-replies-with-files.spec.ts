import type { TiktokAccountView } from 'tiktok-channel';
import { startHelpdeskTestApp, type HelpdeskTestApp } from './support/helpdesk-test-app';

describe('the helpdesk REST API with files', () => {
  let t: HelpdeskTestApp;

  beforeAll(async () => {
    t = await startHelpdeskTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  beforeEach(async () => {
    await t.dataSource.query(
      'TRUNCATE inboxes, contacts, conversations, messages, automation_rules CASCADE',
    );
    t.messenger.reset();
  });

  const account: TiktokAccountView = {
    accountId: 'acct-1',
    businessId: 'biz_shopdemo',
    username: 'shopdemo',
    displayName: 'shopdemo',
    status: 'active',
    scopes: [],
    accessTokenExpiresAt: new Date('2030-01-01T00:00:00Z'),
    refreshTokenExpiresAt: new Date('2031-01-01T00:00:00Z'),
  };

  async function seedConversation(): Promise<string> {
    const { inboxId } = await t.port.upsertInbox({ tenant: 'demo', account });
    const { contactId } = await t.port.upsertContact({ inboxId, tiktokUserId: 'user_1' });
    const { conversationId } = await t.port.openConversation({
      inboxId,
      contactId,
      tiktokConversationId: 'conv_1',
    });
    return conversationId;
  }

  async function postForm(path: string, form: FormData) {
    const response = await fetch(`${t.baseUrl}${path}`, {
      method: 'POST',
      body: form,
      headers: t.auth,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  const PNG = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  );

  it('takes a multipart reply with text and files, hands both to the messenger, and keeps the files to show', async () => {
    const conversationId = await seedConversation();
    const form = new FormData();
    form.append('content', 'Here you go');
    form.append('attachments', new Blob([PNG], { type: 'image/png' }), 'dot.png');
    form.append('attachments', new Blob([Buffer.from('mp4')], { type: 'video/mp4' }), 'clip.mp4');

    const response = await postForm(`/api/conversations/${conversationId}/messages`, form);

    expect(response.status).toBe(201);
    expect(t.messenger.calls).toEqual([
      {
        conversationId,
        messageId: response.body.id,
        text: 'Here you go',
        attachments: [
          { contentType: 'image/png', fileName: 'dot.png', bytes: PNG },
          { contentType: 'video/mp4', fileName: 'clip.mp4', bytes: Buffer.from('mp4') },
        ],
      },
    ]);
    expect(response.body).toMatchObject({
      content: 'Here you go',
      status: 'sent',
      attachments: [
        {
          kind: 'image',
          mimeType: 'image/png',
          url: expect.stringMatching(/^\/api\/attachments\/[0-9a-f-]{36}$/),
        },
        {
          kind: 'video',
          mimeType: 'video/mp4',
          url: expect.stringMatching(/^\/api\/attachments\//),
        },
      ],
    });
    const image = await fetch(`${t.baseUrl}${response.body.attachments[0].url}`, {
      headers: t.auth,
    });
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await image.arrayBuffer())).toEqual(PNG);
  });

  it('takes files without text', async () => {
    const conversationId = await seedConversation();
    const form = new FormData();
    form.append('attachments', new Blob([PNG], { type: 'image/png' }), 'dot.png');

    const response = await postForm(`/api/conversations/${conversationId}/messages`, form);

    expect(response.status).toBe(201);
    expect(t.messenger.calls[0]).toMatchObject({
      text: '',
      attachments: [{ fileName: 'dot.png' }],
    });
  });

  it('refuses a multipart reply with neither text nor files, saying why', async () => {
    const conversationId = await seedConversation();
    const form = new FormData();
    form.append('content', '   ');

    const response = await postForm(`/api/conversations/${conversationId}/messages`, form);

    expect(response).toEqual({
      status: 400,
      body: expect.objectContaining({ message: 'content must be a non-empty string' }),
    });
    expect(t.messenger.calls).toEqual([]);
  });

  it('retries a failed reply through the messenger and returns it as stored after', async () => {
    const conversationId = await seedConversation();
    t.messenger.behaviour = { status: 'failed', reason: 'tiktok_unavailable' };
    const form = new FormData();
    form.append('content', 'Try me');
    const failed = await postForm(`/api/conversations/${conversationId}/messages`, form);
    expect(failed.body).toMatchObject({ status: 'failed', failureReason: 'tiktok_unavailable' });

    const retried = await fetch(
      `${t.baseUrl}/api/conversations/${conversationId}/messages/${failed.body.id}/retry`,
      { method: 'POST', headers: t.auth },
    );

    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ id: failed.body.id, status: 'sent' });
    expect(t.messenger.retries).toEqual([failed.body.id]);
  });

  it('answers 404 to a retry of a reply that did not fail', async () => {
    const conversationId = await seedConversation();
    const form = new FormData();
    form.append('content', 'Fine');
    const sent = await postForm(`/api/conversations/${conversationId}/messages`, form);

    const retried = await fetch(
      `${t.baseUrl}/api/conversations/${conversationId}/messages/${sent.body.id}/retry`,
      { method: 'POST', headers: t.auth },
    );

    expect(retried.status).toBe(404);
    expect(t.messenger.retries).toEqual([]);
  });

  it('keeps each part’s status and the library’s sentence that the port reports', async () => {
    const conversationId = await seedConversation();
    const form = new FormData();
    form.append('content', 'Parts');
    const sent = await postForm(`/api/conversations/${conversationId}/messages`, form);

    await t.port.updateMessageStatus({
      messageId: sent.body.id,
      status: 'failed',
      reason: 'image_not_supported',
      detail: 'TikTok says this customer cannot receive images.',
      parts: [
        { index: 0, kind: 'text', status: 'sent', tiktokMessageId: 'tt_1' },
        {
          index: 1,
          kind: 'image',
          attachmentIndex: 0,
          status: 'failed',
          reason: 'image_not_supported',
        },
      ],
      at: new Date(),
    });

    const messages = (await (
      await fetch(`${t.baseUrl}/api/conversations/${conversationId}/messages`, { headers: t.auth })
    ).json()) as unknown[];
    expect(messages[messages.length - 1]).toMatchObject({
      status: 'failed',
      failureReason: 'image_not_supported',
      failureDetail: 'TikTok says this customer cannot receive images.',
      parts: [
        { index: 0, kind: 'text', status: 'sent' },
        { index: 1, kind: 'image', status: 'failed', reason: 'image_not_supported' },
      ],
    });
  });
});
