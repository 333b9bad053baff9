import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryRows } from '../persistence/sql';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import type { TiktokConnectContext } from '../tiktok-channel.options';

const STATE_LIFETIME_SECONDS = 600;

/**
 * The OAuth `state`: a random nonce plus an HMAC, backed by a row that holds the host's context.
 * The HMAC rejects forged states before any database work; the row makes each state single-use
 * and expire after 10 minutes (as long as TikTok's authorization code lives).
 */
@Injectable()
export class OauthStateService {
  private readonly key: Buffer;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectTiktokConfig() config: TiktokChannelConfig,
  ) {
    // A key of its own, derived from the app secret, so a state never reveals anything about it.
    this.key = createHmac('sha256', config.appSecret).update('tiktok-channel/oauth-state').digest();
  }

  async issue(context: TiktokConnectContext): Promise<string> {
    const nonce = randomBytes(24).toString('base64url');
    await this.dataSource.query(
      `INSERT INTO tiktok_oauth_states (nonce, context, expires_at)
       VALUES ($1, $2, now() + make_interval(secs => $3))`,
      [nonce, JSON.stringify(context), STATE_LIFETIME_SECONDS],
    );
    // Old attempts are useless after expiry; trimming here keeps the table small without a job.
    await this.dataSource.query(
      `DELETE FROM tiktok_oauth_states WHERE expires_at < now() - interval '1 day'`,
    );
    return `${nonce}.${this.sign(nonce)}`;
  }

  /** The context of a valid, unexpired, unused state, consumed atomically; null otherwise. */
  async consume(state: string | undefined): Promise<TiktokConnectContext | null> {
    const nonce = this.verify(state);
    if (!nonce) return null;
    const rows = await queryRows<{ context: TiktokConnectContext }>(
      this.dataSource,
      `UPDATE tiktok_oauth_states SET used_at = now()
        WHERE nonce = $1 AND used_at IS NULL AND expires_at > now()
        RETURNING context`,
      [nonce],
    );
    return rows[0]?.context ?? null;
  }

  /** The context of a state even if used or expired: only to send the person back to the right page. */
  async peek(state: string | undefined): Promise<TiktokConnectContext | null> {
    const nonce = this.verify(state);
    if (!nonce) return null;
    const rows = await queryRows<{ context: TiktokConnectContext }>(
      this.dataSource,
      `SELECT context FROM tiktok_oauth_states WHERE nonce = $1`,
      [nonce],
    );
    return rows[0]?.context ?? null;
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
