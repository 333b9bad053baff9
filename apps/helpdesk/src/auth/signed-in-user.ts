import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { UserRole } from '../database/entities/user.entity';

/** Who made the request, as the guard found them. */
export interface SignedInUser {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  /** How they proved it: the page's session cookie, or HTTP Basic from a script. */
  via: 'session' | 'basic';
}

const USER = Symbol('helpdeskUser');

type RequestWithUser = Request & { [USER]?: SignedInUser };

export function setSignedInUser(req: Request, user: SignedInUser): void {
  (req as RequestWithUser)[USER] = user;
}

export function signedInUserOf(req: Request): SignedInUser | undefined {
  return (req as RequestWithUser)[USER];
}

/** The signed-in user of a route behind `HelpdeskApi()`. */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const user = signedInUserOf(ctx.switchToHttp().getRequest<Request>());
  if (!user) throw new Error('CurrentUser used on a route without the sign-in guard');
  return user;
});
