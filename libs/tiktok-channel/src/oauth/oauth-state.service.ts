import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryRows } from '../persistence/sql';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import type { TiktokConnectContext } from '../tiktok-channel.options';
import { bindingOf } from './browser-binding';

/** As long as TikTok's authorization code lives. */
export const STATE_LIFETIME_SECONDS = 600;

export type StateClaim =
  | { ok: true; context: TiktokConnectContext }
  /** `returnUrl` is set when the state is genuine and its page may be shown to this browser. */
  | { ok: false; reason: 'invalid_state' | 'browser_mismatch'; returnUrl?: string };

/**
 * The OAuth `state`: a random nonce plus an HMAC, backed by a row that holds the host's context
 * and the hash of the starting browser's key. The HMAC rejects forged states before any database
 * work; the row makes each state single-use, bound to one browser, and expire after 10 minutes.
 */
@Injectable()
export class OauthStateService {
  private readonly key: Buffer;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
  ) {
    // A key of its own, derived from the app secret, so a state never reveals anything about it.
    this.key = createHmac('sha256', config.appSecret).update('tiktok-channel/oauth-state').digest();
  }

  /**
   * A state for this context and browser. In the same statement, the tenant's unfinished attempts
   * beyond `maxPendingConnectsPerTenant` are deleted, oldest first, so however many authorize
   * requests arrive (a cross-site GET storm, say) the tenant never holds more than the cap.
   */
  async issue(context: TiktokConnectContext, browserKey: string): Promise<string> {
    const nonce = randomBytes(24).toString('base64url');
    await this.dataSource.query(
      `WITH issued AS (
         INSERT INTO tiktok_oauth_states (nonce, context, tenant, browser_binding, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) RETURNING nonce)
       DELETE FROM tiktok_oauth_states WHERE nonce IN (
         SELECT nonce FROM tiktok_oauth_states
          WHERE tenant = $3 AND used_at IS NULL
          ORDER BY created_at DESC, nonce DESC OFFSET $6)`,
      [
        nonce,
        JSON.stringify(context),
        context.tenant,
        bindingOf(browserKey),
        STATE_LIFETIME_SECONDS,
        // The DELETE sees the table as it was before this INSERT: the new row is the cap's last place.
        this.config.maxPendingConnectsPerTenant - 1,
      ],
    );
    return `${nonce}.${this.sign(nonce)}`;
  }

  /**
   * The context of a valid, unexpired, unused state started by this browser, consumed atomically.
   * A state another browser started is refused without being consumed, so the browser it belongs
   * to can still finish.
   */
  async consume(state: string | undefined, browserKey: string | undefined): Promise<StateClaim> {
    const nonce = this.verify(state);
    if (!nonce) return { ok: false, reason: 'invalid_state' };
    const binding = browserKey ? bindingOf(browserKey) : null;
    const rows = await queryRows<{ context: TiktokConnectContext }>(
      this.dataSource,
      `UPDATE tiktok_oauth_states SET used_at = now()
        WHERE nonce = $1 AND browser_binding = $2 AND used_at IS NULL AND expires_at > now()
        RETURNING context`,
      [nonce, binding],
    );
    if (rows[0]) return { ok: true, context: rows[0].context };

    const [known] = await queryRows<{
      context: TiktokConnectContext;
      browser_binding: string | null;
    }>(
      this.dataSource,
      `SELECT context, browser_binding FROM tiktok_oauth_states WHERE nonce = $1`,
      [nonce],
    );
    if (!known) return { ok: false, reason: 'invalid_state' };
    // Another browser's context (its tenant, its return page) is none of this browser's business.
    if (known.browser_binding !== binding) return { ok: false, reason: 'browser_mismatch' };
    return { ok: false, reason: 'invalid_state', returnUrl: known.context.returnUrl };
  }

  private verify(state: string | undefined): string | null {
    if (typeof state !== 'string') return null;
    const [nonce, signature, extra] = state.split('.');
    if (!nonce || !signature || extra !== undefined) return null;
    const expected = Buffer.from(this.sign(nonce));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return nonce;
  }

  private sign(nonce: string): string {
    return createHmac('sha256', this.key).update(nonce).digest('base64url');
  }
}
