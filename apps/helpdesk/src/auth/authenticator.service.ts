import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { UserEntity } from '../database/entities/user.entity';
import { readSessionCookie } from './session-cookie';
import { SessionsService } from './sessions.service';
import { SignInThrottle } from './sign-in-throttle';
import type { SignedInUser } from './signed-in-user';
import { UsersService } from './users.service';

/** Basic credentials verified recently, so a script's every call does not cost a scrypt. */
const BASIC_CACHE_LIMIT = 100;

/**
 * Who a request comes from: a session cookie (the page) or HTTP Basic (scripts, `curl -u`).
 * Undefined when neither proves anyone; a wrong Basic password is never cached.
 */
@Injectable()
export class Authenticator {
  /** sha256 of the Authorization header → the user and the password hash it was checked against. */
  private readonly verifiedBasic = new Map<string, { userId: string; passwordHash: string }>();

  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly throttle: SignInThrottle,
  ) {}

  async authenticate(req: Request): Promise<SignedInUser | undefined> {
    const authorization = req.headers.authorization;
    if (authorization && /^basic /i.test(authorization)) return this.basic(authorization, req);
    const token = readSessionCookie(req);
    if (!token) return undefined;
    const userId = await this.sessions.userOf(token);
    const user = userId ? await this.users.byId(userId) : null;
    return user ? signedIn(user, 'session') : undefined;
  }

  private async basic(header: string, req: Request): Promise<SignedInUser | undefined> {
    const key = createHash('sha256').update(header).digest('hex');
    const cached = this.verifiedBasic.get(key);
    if (cached) {
      const user = await this.users.byId(cached.userId);
      // A changed password (or a deleted user) invalidates what was verified before.
      if (user && user.passwordHash === cached.passwordHash) return signedIn(user, 'basic');
      this.verifiedBasic.delete(key);
    }
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    if (separator < 0) return undefined;
    const email = decoded.slice(0, separator);
    this.throttle.assertMayTry(email, req);
    const user = await this.users.check(email, decoded.slice(separator + 1));
    if (!user) {
      this.throttle.failed(email, req);
      return undefined;
    }
    this.throttle.succeeded(email, req);
    if (this.verifiedBasic.size >= BASIC_CACHE_LIMIT) this.verifiedBasic.clear();
    this.verifiedBasic.set(key, { userId: user.id, passwordHash: user.passwordHash });
    return signedIn(user, 'basic');
  }
}

function signedIn(user: UserEntity, via: SignedInUser['via']): SignedInUser {
  return { id: user.id, email: user.email, name: user.name, role: user.role, via };
}
