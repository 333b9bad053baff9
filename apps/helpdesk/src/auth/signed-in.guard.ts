import {
  ForbiddenException,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Authenticator } from './authenticator.service';
import { setSignedInUser } from './signed-in-user';

const ADMIN_ONLY = 'helpdesk:adminOnly';

/** Marks a route (or controller) only the admin may use. */
export const AdminOnly = () => SetMetadata(ADMIN_ONLY, true);

export const NOT_SIGNED_IN =
  'Sign in first: the page signs in with a session, scripts send HTTP Basic (curl -u email:password)';

/**
 * Lets a request through only when it proves who it comes from. No `WWW-Authenticate` header on
 * the 401: the browser would pop up its own password dialog over the page's sign-in form.
 */
@Injectable()
export class SignedInGuard implements CanActivate {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const user = await this.authenticator.authenticate(req);
    if (!user) throw new UnauthorizedException(NOT_SIGNED_IN);
    const adminOnly = this.reflector.getAllAndOverride<boolean | undefined>(ADMIN_ONLY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (adminOnly && user.role !== 'admin') {
      throw new ForbiddenException('Only the admin can do this');
    }
    setSignedInUser(req, user);
    return true;
  }
}
