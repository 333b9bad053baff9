import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '../database/sql';

/** How long a browser stays signed in without signing in again. */
export const SESSION_LIFETIME_SECONDS = 7 * 24 * 3600;

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Sessions of signed-in browsers. The token is only ever in the cookie; the table has its hash. */
@Injectable()
export class SessionsService {
  constructor(private readonly dataSource: DataSource) {}

  /** A new session for the user; the token goes into the cookie. */
  async open(userId: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await queryRows(
      this.dataSource,
      `INSERT INTO sessions (token_hash, user_id, expires_at)
       VALUES ($1, $2, now() + make_interval(secs => $3))`,
      [hashToken(token), userId, SESSION_LIFETIME_SECONDS],
    );
    // Expired sessions are swept here rather than by a job: signing in is rare and cheap.
    await queryRows(this.dataSource, `DELETE FROM sessions WHERE expires_at < now()`);
    return token;
  }

  /** The user id of a live session, or undefined. */
  async userOf(token: string): Promise<string | undefined> {
    const [row] = await queryRows<{ user_id: string }>(
      this.dataSource,
      `SELECT user_id FROM sessions WHERE token_hash = $1 AND expires_at > now()`,
      [hashToken(token)],
    );
    return row?.user_id;
  }

  async close(token: string): Promise<void> {
    await queryRows(this.dataSource, `DELETE FROM sessions WHERE token_hash = $1`, [
      hashToken(token),
    ]);
  }
}
