import { BadRequestException, ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { Request } from 'express';
import type { TiktokConnectContext } from 'tiktok-channel';
import type { Authenticator } from '../auth/authenticator.service';
import { NOT_SIGNED_IN } from '../auth/signed-in.guard';

/**
 * Who is connecting a TikTok account, asked by the library on `GET /tiktok/oauth/authorize`. It is
 * the route's guard: only a signed-in user may start a connection (so no other site can make the
 * helpdesk start one), and only the admin may connect an account or reconnect an inbox. The demo
 * has one workspace; `?inboxId=` says which inbox is being reconnected, and anything else there is
 * refused rather than carried into the state.
 */
export function connectContextResolver(
  authenticator: Authenticator,
): (req: Request) => Promise<TiktokConnectContext> {
  return async (req) => {
    const user = await authenticator.authenticate(req);
    if (!user) throw new UnauthorizedException(NOT_SIGNED_IN);
    if (user.role !== 'admin') {
      throw new ForbiddenException('Only the admin can connect TikTok accounts');
    }
    const inboxId = req.query.inboxId;
    if (inboxId !== undefined && (typeof inboxId !== 'string' || !isUUID(inboxId))) {
      throw new BadRequestException('inboxId must be the id of an inbox');
    }
    return { tenant: 'demo', inboxId, returnUrl: '/' };
  };
}

/** For the operator tools, which serve no HTTP: nobody connects through them. */
export function refuseConnect(): never {
  throw new ForbiddenException('Accounts are connected from the helpdesk page');
}
