import type { NextFunction, Request, Response } from 'express';
import type { SandboxPersistence } from './sandbox-persistence';

/**
 * Schedules a save once a request that may change state has been answered: every POST, and the
 * authorize page (a queued consent is used up and a code issued there). Reads are not saved.
 */
export function saveAfterChanges(persistence: SandboxPersistence) {
  return (request: Request, response: Response, next: NextFunction): void => {
    if (request.method !== 'GET' || request.path.startsWith('/v2/auth/authorize')) {
      response.once('finish', () => persistence.schedule());
    }
    next();
  };
}
