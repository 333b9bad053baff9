import { createHmac } from 'node:crypto';
import { SandboxConfig } from './options';
import { PreparedWebhook, SandboxState } from './sandbox-state';
import { SandboxStats } from './stats';
import { WebhookPoster } from './webhook-poster';

export function signatureHeader(appSecret: string, body: string, unixSeconds: number): string {
  const signature = createHmac('sha256', appSecret)
    .update(`${unixSeconds}.`)
    .update(Buffer.from(body, 'utf8'))
    .digest('hex');
  return `t=${unixSeconds},s=${signature}`;
}

/**
 * Posts webhooks to the app's callback in the background, retrying with exponential backoff like
 * TikTok (on a much shorter schedule). Callers never wait for it: a slow or failing callback must
 * not slow down or fail the API call that caused the event.
 */
export class WebhookDelivery {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly poster = new WebhookPoster();
  private readonly running = new Set<Promise<void>>();
  /** Bumped by cancelAll, so attempts already on the wire do not record into a reset sandbox. */
  private generation = 0;

  constructor(
    private readonly state: SandboxState,
    private readonly stats: SandboxStats,
    private readonly config: SandboxConfig,
  ) {}

  /** Returns false when no callback is registered, so nothing will be sent. */
  deliver(webhook: PreparedWebhook): boolean {
    if (!this.state.callbackUrl) {
      this.config.log(`webhook ${webhook.event} ${webhook.messageId}: no callback registered`);
      return false;
    }
    this.stats.deliveryStarted();
    this.track(this.attempt(webhook, 1, this.generation));
    return true;
  }

  /** Drops pending retries and aborts attempts on the wire. */
  cancelAll(): void {
    this.generation++;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.poster.abortAll();
  }

  async close(): Promise<void> {
    this.cancelAll();
    await Promise.allSettled([...this.running]);
    this.poster.close();
  }

  private track(work: Promise<void>): void {
    // A throwing `log` callback must not surface as an unhandled rejection in the host.
    const settled = work.catch(() => undefined);
    this.running.add(settled);
    void settled.finally(() => this.running.delete(settled));
  }

  private async attempt(
    webhook: PreparedWebhook,
    attempt: number,
    generation: number,
  ): Promise<void> {
    // Read the callback on every attempt: a retry follows an update, and stops after a delete.
    const url = this.state.callbackUrl;
    if (!url) {
      this.stats.deliveryFinished('abandoned');
      return;
    }
    const status = await this.post(url, webhook.body);
    if (generation !== this.generation) return;

    const succeeded = /^2\d\d$/.test(status);
    this.stats.attemptFinished(
      { event: webhook.event, messageId: webhook.messageId, attempt, status },
      succeeded,
    );
    this.config.log(`webhook ${webhook.event} ${webhook.messageId} attempt ${attempt}: ${status}`);
    if (succeeded) {
      this.stats.deliveryFinished('succeeded');
      return;
    }
    const { maxAttempts, initialDelayMs } = this.config.webhookRetry;
    if (attempt >= maxAttempts) {
      this.stats.deliveryFinished('abandoned');
      this.config.log(`webhook ${webhook.event} ${webhook.messageId}: given up`);
      return;
    }
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        this.track(this.attempt(webhook, attempt + 1, generation));
      },
      initialDelayMs * 2 ** (attempt - 1),
    );
    this.timers.add(timer);
  }

  /** The HTTP status as a string, or "network_error" for no answer (refused, reset, timed out). */
  private post(url: string, body: string): Promise<string> {
    return this.poster.post(
      url,
      {
        'Content-Type': 'application/json',
        // Signed afresh per attempt: the timestamp is the sending time, the bytes stay the same.
        'TikTok-Signature': signatureHeader(
          this.config.appSecret,
          body,
          Math.floor(this.state.now() / 1000),
        ),
      },
      body,
      this.config.webhookRetry.timeoutMs,
    );
  }
}
