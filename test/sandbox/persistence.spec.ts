import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningSandbox } from 'tiktok-sandbox';
import {
  APP_ID,
  APP_SECRET,
  TokenData,
  WebhookReceiver,
  api,
  connectAccount,
  control,
  createUser,
  registerWebhook,
  sendText,
  startTestSandbox,
  userWrites,
  waitUntil,
} from './sandbox-kit';

describe('TikTok sandbox state file (a demo restart keeps what TikTok knows)', () => {
  let dir: string;
  let stateFile: string;
  const running: RunningSandbox[] = [];

  async function start(file: string | null = stateFile): Promise<RunningSandbox> {
    const sandbox = await startTestSandbox(file ? { stateFile: file } : {});
    running.push(sandbox);
    return sandbox;
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandbox-state-'));
    stateFile = join(dir, 'nested', 'tiktok-sandbox.json');
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((sandbox) => sandbox.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  function profile(sandbox: RunningSandbox, token: { access_token: string; open_id: string }) {
    return api(sandbox, 'GET', 'business/get/', {
      token: token.access_token,
      query: { business_id: token.open_id, fields: '["username"]' },
    });
  }

  function refresh(sandbox: RunningSandbox, refreshToken: string) {
    return api<TokenData>(sandbox, 'POST', 'tt_user/oauth2/refresh_token/', {
      body: {
        client_id: APP_ID,
        client_secret: APP_SECRET,
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      },
    });
  }

  it('keeps accounts, tokens, grants, conversations, media and the webhook across a restart', async () => {
    const receiver = await new WebhookReceiver().start();
    try {
      const first = await start();
      const shop = await connectAccount(first, 'shopdemo');
      const { body: seeded } = await control<{
        grants: { accessToken: string; businessId: string }[];
      }>(first, 'POST', '/sandbox/grants', { usernames: ['bulkshop'] });
      const mia = await createUser(first, 'mia.k');
      await control(first, 'POST', `/sandbox/users/${mia}/region`, { eea: true });
      await registerWebhook(first, receiver.url);
      const written = await userWrites(first, mia, shop.open_id, 'Before the restart');
      const { body: image } = await control<{ messageId: string; mediaId: string }>(
        first,
        'POST',
        '/sandbox/messages',
        { fromUserId: mia, toBusinessId: shop.open_id, type: 'image', deliver: 'normal' },
      );
      await first.close();
      expect(statSync(stateFile).mode & 0o777).toBe(0o600);

      const second = await start();
      expect(second.url).not.toBe(first.url);
      expect((await profile(second, shop)).envelope.code).toBe(0);
      const bulk = seeded.grants[0];
      expect(
        (await profile(second, { access_token: bulk.accessToken, open_id: bulk.businessId }))
          .envelope.code,
      ).toBe(0);

      // The conversation is still there, and the business can answer in it.
      receiver.clear();
      expect((await sendText(second, shop, written.conversationId, 'After the restart')).code).toBe(
        0,
      );
      const view = await control<{ text: string }[]>(
        second,
        'GET',
        `/sandbox/conversations/${encodeURIComponent(written.conversationId)}/messages`,
      );
      expect(view.body.map((message) => message.text)).toEqual([
        'Before the restart',
        '',
        'After the restart',
      ]);
      // The same person writing again lands in the same conversation, still as an EEA person.
      const again = await userWrites(second, mia, shop.open_id, 'Still me');
      expect(again.conversationId).toBe(written.conversationId);
      const deliveries = await receiver.waitForCount(2); // the echo of the send, then this
      expect(deliveries.map((item) => item.body.event).sort()).toEqual([
        'im_receive_msg_eu',
        'im_send_msg',
      ]);

      // The media person sent before can still be downloaded.
      const { envelope } = await api<{ download_url: string }>(
        second,
        'POST',
        'business/message/media/download/',
        {
          token: shop.access_token,
          body: {
            business_id: shop.open_id,
            conversation_id: written.conversationId,
            message_id: image.messageId,
            media_id: image.mediaId,
            media_type: 'IMAGE',
          },
        },
      );
      expect(envelope.code).toBe(0);
      const bytes = await fetch(envelope.data.download_url, {
        headers: { 'x-user': shop.access_token },
      });
      expect(bytes.status).toBe(200);

      // Refresh tokens still rotate: the saved one works once, then never again.
      expect((await refresh(second, shop.refresh_token)).envelope.code).toBe(0);
      expect((await refresh(second, shop.refresh_token)).envelope.code).toBe(40107);

      // A reconnect through the consent page finds the same account.
      const reconnected = await connectAccount(second, 'shopdemo');
      expect(reconnected.open_id).toBe(shop.open_id);
    } finally {
      await receiver.close();
    }
  });

  it('saves soon after a change, without waiting for close (a killed demo loses nothing)', async () => {
    const sandbox = await start();
    const shop = await connectAccount(sandbox, 'shopdemo');
    await waitUntil(
      async () =>
        existsSync(stateFile) && readFileSync(stateFile, 'utf8').includes(shop.access_token),
    );
    // A copy taken while the first still runs is what a kill -9 would leave behind.
    const copy = join(dir, 'copy.json');
    copyFileSync(stateFile, copy);
    const restarted = await start(copy);
    expect((await profile(restarted, shop)).envelope.code).toBe(0);
  });

  it('writes the last change on close, before close resolves (the demo exits right after)', async () => {
    const sandbox = await start();
    const shop = await connectAccount(sandbox, 'shopdemo');
    await sandbox.close();
    expect(readFileSync(stateFile, 'utf8')).toContain(shop.refresh_token);
  });

  it('keeps nothing without a state file (the default for tests)', async () => {
    const first = await start(null);
    const shop = await connectAccount(first, 'shopdemo');
    await first.close();
    const second = await start(null);
    expect((await profile(second, shop)).envelope.code).toBe(40105);
  });

  it('refuses to start on a file it cannot use, and leaves the file as it was', async () => {
    const garbage = join(dir, 'garbage.json');
    writeFileSync(garbage, '{ not json');
    await expect(startTestSandbox({ stateFile: garbage })).rejects.toThrow(/not readable JSON/);
    expect(readFileSync(garbage, 'utf8')).toBe('{ not json');

    const first = await start();
    await connectAccount(first, 'shopdemo');
    await first.close();
    const saved = readFileSync(stateFile, 'utf8');
    await expect(startTestSandbox({ stateFile, appId: 'another_app' })).rejects.toThrow(
      /belongs to the app app_sandbox_test/,
    );
    expect(readFileSync(stateFile, 'utf8')).toBe(saved);
  });
});
