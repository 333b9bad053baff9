import {
  ForbiddenException,
  Injectable,
  SetMetadata,
  UnsupportedMediaTypeException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { InjectHelpdeskAuthConfig, type HelpdeskAuthConfig } from './helpdesk-auth.config';

const ACCEPTS_UPLOADS = 'helpdesk:acceptsUploads';

/** Marks a route that takes files: `multipart/form-data` is then accepted beside JSON. */
export const AcceptsUploads = () => SetMetadata(ACCEPTS_UPLOADS, true);

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const CROSS_SITE_REFUSED =
  'Refused: this request comes from another site. The helpdesk API takes writes only from its own page or from scripts.';

/**
 * Cross-site request forgery, refused before anything else runs. A write must come from the
 * helpdesk's own page (its Origin) or from a script (which sends no Origin), and carry JSON: a
 * form on another site can post urlencoded, multipart or text/plain bodies without asking the
 * browser's permission (no CORS preflight), but never `application/json`.
 */
@Injectable()
export class RequestOriginGuard implements CanActivate {
  private readonly publicOrigin: string | undefined;

  constructor(
    private readonly reflector: Reflector,
    @InjectHelpdeskAuthConfig() config: HelpdeskAuthConfig,
  ) {
    this.publicOrigin = config.publicUrl ? new URL(config.publicUrl).origin : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (SAFE_METHODS.has(req.method)) return true;
    if (req.headers['sec-fetch-site'] === 'cross-site')
      throw new ForbiddenException(CROSS_SITE_REFUSED);
    const origin = req.headers.origin;
    if (origin !== undefined && !this.isOwnOrigin(origin, req)) {
      throw new ForbiddenException(CROSS_SITE_REFUSED);
    }
    if (hasBody(req)) {
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      const uploads = this.reflector.getAllAndOverride<boolean | undefined>(ACCEPTS_UPLOADS, [
        context.getHandler(),
        context.getClass(),
      ]);
      if (type !== 'application/json' && !(uploads && type === 'multipart/form-data')) {
        throw new UnsupportedMediaTypeException(
          uploads
            ? 'Send application/json, or multipart/form-data with files'
            : 'Send application/json',
        );
      }
    }
    return true;
  }

  /** The configured public URL's origin, or the one the browser addressed (its Host header). */
  private isOwnOrigin(origin: string, req: Request): boolean {
    if (origin === this.publicOrigin) return true;
    const host = req.headers.host;
    return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
  }
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}
