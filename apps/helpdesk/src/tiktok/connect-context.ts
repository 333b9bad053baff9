import { BadRequestException } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { Request } from 'express';
import type { TiktokConnectContext } from 'tiktok-channel';

/**
 * Who is connecting a TikTok account, asked by the library on `GET /tiktok/oauth/authorize`. The
 * demo has one workspace and no login, so the only question is whether an existing inbox is being
 * reconnected (`?inboxId=`). Anything else there is refused rather than carried into the state.
 */
export function resolveConnectContext(req: Request): TiktokConnectContext {
  const inboxId = req.query.inboxId;
  if (inboxId !== undefined && (typeof inboxId !== 'string' || !isUUID(inboxId))) {
    throw new BadRequestException('inboxId must be the id of an inbox');
  }
  return { tenant: 'demo', inboxId, returnUrl: '/' };
}
