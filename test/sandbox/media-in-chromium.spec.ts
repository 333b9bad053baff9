import type { Browser } from 'playwright-core';
import { RunningSandbox } from 'tiktok-sandbox';
import { launchChromium } from '../browser/browser';
import {
  TokenData,
  api,
  connectAccount,
  control,
  createUser,
  startTestSandbox,
} from './sandbox-kit';

/**
 * The sandbox's sample media must be real: the demo's browser tests show them in an <img> and a
 * <video>. Chromium decodes each one here, fetched through media/download like the channel does.
 */
describe('TikTok sandbox sample media in Chromium', () => {
  let sandbox: RunningSandbox;
  let browser: Browser;
  let shop: TokenData;
  let mia: string;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    browser = await launchChromium();
    shop = await connectAccount(sandbox, 'shopdemo');
    mia = await createUser(sandbox, 'mia.k');
  });
  afterAll(async () => {
    await browser.close();
    await sandbox.close();
  });

  async function bytesOf(type: 'image' | 'video', format?: string): Promise<Buffer> {
    const { body: created } = await control<{
      conversationId: string;
      messageId: string;
      mediaId: string;
    }>(sandbox, 'POST', '/sandbox/messages', {
      fromUserId: mia,
      toBusinessId: shop.open_id,
      type,
      ...(format ? { media: { format } } : {}),
    });
    const { envelope } = await api<{ download_url: string }>(
      sandbox,
      'POST',
      'business/message/media/download/',
      {
        token: shop.access_token,
        body: {
          business_id: shop.open_id,
          conversation_id: created.conversationId,
          message_id: created.messageId,
          media_id: created.mediaId,
          media_type: type.toUpperCase(),
        },
      },
    );
    const response = await fetch(envelope.data.download_url, {
      headers: { 'x-user': shop.access_token },
    });
    return Buffer.from(await response.arrayBuffer());
  }

  it.each([
    ['png', 'image/png'],
    ['jpeg', 'image/jpeg'],
  ])('decodes the %s image', async (format, contentType) => {
    const bytes = await bytesOf('image', format);
    const page = await browser.newPage();
    try {
      await page.setContent(
        `<img id="picture" src="data:${contentType};base64,${bytes.toString('base64')}">`,
      );
      const size = await page.$eval('#picture', async (element) => {
        // No DOM types in this project: the few members used, typed by hand.
        const image = element as unknown as {
          decode(): Promise<void>;
          naturalWidth: number;
          naturalHeight: number;
        };
        await image.decode();
        return { width: image.naturalWidth, height: image.naturalHeight };
      });
      expect(size).toEqual({ width: 64, height: 48 });
    } finally {
      await page.close();
    }
  });

  it('plays the MP4 video', async () => {
    const bytes = await bytesOf('video');
    const page = await browser.newPage();
    try {
      await page.setContent(
        `<video id="clip" muted src="data:video/mp4;base64,${bytes.toString('base64')}"></video>`,
      );
      const result = await page.$eval(
        '#clip',
        (element) =>
          new Promise<{ width: number; height: number; duration: number } | string>((resolve) => {
            const video = element as unknown as {
              videoWidth: number;
              videoHeight: number;
              duration: number;
              readyState: number;
              error: { code: number; message: string } | null;
              addEventListener(event: string, listener: () => void): void;
            };
            const report = () =>
              resolve({
                width: video.videoWidth,
                height: video.videoHeight,
                duration: video.duration,
              });
            if (video.readyState >= 2) report();
            video.addEventListener('loadeddata', report);
            video.addEventListener('error', () =>
              resolve(`error ${video.error?.code}: ${video.error?.message}`),
            );
          }),
      );
      expect(result).toEqual({ width: 64, height: 64, duration: expect.closeTo(1, 1) });
    } finally {
      await page.close();
    }
  });
});
