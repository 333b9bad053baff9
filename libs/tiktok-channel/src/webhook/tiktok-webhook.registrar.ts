import { Inject, Injectable } from '@nestjs/common';
import type { TiktokApiClient } from '../api/tiktok-api.client';
import { TIKTOK_API_CLIENT } from '../tiktok-channel.constants';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';

/** TikTok's registration compared with the configured `webhookCallbackUrl`. */
export interface TiktokWebhookStatus {
  /** The configured `webhookCallbackUrl`, if any. */
  expected: string | null;
  /** What TikTok has registered for the app, if anything. */
  registered: string | null;
  /** Registered at the expected URL (or at all, when none is configured). */
  ok: boolean;
}

/** Registers the app's one DIRECT_MESSAGE callback; it covers every connected business. */
@Injectable()
export class TiktokWebhookRegistrar {
  constructor(
    @Inject(TIKTOK_API_CLIENT) private readonly client: TiktokApiClient,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
  ) {}

  async register(callbackUrl: string): Promise<void> {
    await this.client.updateWebhook(callbackUrl);
  }

  async current(): Promise<string | null> {
    return (await this.client.getWebhook()).callbackUrl;
  }

  async check(): Promise<TiktokWebhookStatus> {
    const expected = this.config.webhookCallbackUrl ?? null;
    const registered = await this.current();
    return {
      expected,
      registered,
      ok: registered !== null && (expected === null || registered === expected),
    };
  }

  /**
   * Registers `webhookCallbackUrl` unless TikTok already has it: what a deploy step or an
   * operator's command runs (the demo: `npm run webhook -- register`), instead of every boot.
   */
  async ensureRegistered(): Promise<
    TiktokWebhookStatus & { changed: boolean; previous: string | null }
  > {
    const expected = this.config.webhookCallbackUrl;
    if (!expected) {
      throw new Error('webhookCallbackUrl is not configured: there is no URL to register');
    }
    const before = await this.check();
    if (before.ok) return { ...before, changed: false, previous: before.registered };
    await this.register(expected);
    return { ...(await this.check()), changed: true, previous: before.registered };
  }
}
