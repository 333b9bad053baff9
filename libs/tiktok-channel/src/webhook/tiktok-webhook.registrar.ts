import { Inject, Injectable } from '@nestjs/common';
import type { TiktokApiClient } from '../api/tiktok-api.client';
import { TIKTOK_API_CLIENT } from '../tiktok-channel.constants';

/** Registers the app's one DIRECT_MESSAGE callback; it covers every connected business. */
@Injectable()
export class TiktokWebhookRegistrar {
  constructor(@Inject(TIKTOK_API_CLIENT) private readonly client: TiktokApiClient) {}

  async register(callbackUrl: string): Promise<void> {
    await this.client.updateWebhook(callbackUrl);
  }

  async current(): Promise<string | null> {
    return (await this.client.getWebhook()).callbackUrl;
  }
}
