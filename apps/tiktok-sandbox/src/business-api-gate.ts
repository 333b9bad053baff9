import type { NextFunction, Request, Response } from 'express';
import { ErrorCode, failure } from './envelope';
import { API_PREFIX, FaultBook } from './faults';
import { loseAnswer } from './lost-answer';
import type { Slowdowns } from './slowdowns';
import type { SandboxState } from './sandbox-state';
import { SandboxStats } from './stats';

/** Uploads are multipart; every other POST is JSON. */
const MULTIPART_PATHS = new Set(['/business/message/media/upload/']);

/**
 * What TikTok does before any Business endpoint runs: paths must end in '/', bodies must be JSON.
 * Also where planned slowness and faults fire, and where requests are counted (all of them, so a client's
 * retries and wrong paths show up in the stats).
 */
export function businessApiGate(stats: SandboxStats, faults: FaultBook, slowdowns: Slowdowns) {
  return async (request: Request, response: Response, next: NextFunction): Promise<void> => {
    const path = request.path;
    if (!path.startsWith('/sandbox/')) stats.countRequest(path);
    if (!path.startsWith(`${API_PREFIX}/`)) return next();

    if (!path.endsWith('/')) {
      response.status(404).type('text/plain').send('404 page not found');
      return;
    }
    await slowdowns.pass(path);
    const fault = faults.take(path);
    if (fault?.httpStatus !== undefined) {
      response.status(fault.httpStatus).type('text/plain').send(fault.message);
      return;
    }
    if (fault?.code !== undefined) {
      response.status(200).json(failure(fault.code, fault.message));
      return;
    }
    if (fault?.afterAccept) loseAnswer(request, response, fault.afterAccept);
    const mediaType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const expected = MULTIPART_PATHS.has(FaultBook.normalizePath(path))
      ? 'multipart/form-data'
      : 'application/json';
    if (request.method === 'POST' && mediaType !== expected) {
      response
        .status(200)
        .json(failure(ErrorCode.invalidParameter, `Content-Type must be ${expected}.`));
      return;
    }
    next();
  };
}

/** A body that is not valid JSON gets TikTok's envelope, not the web framework's 400 page. */
export function malformedBodyAnswer() {
  return (error: unknown, request: Request, response: Response, next: NextFunction): void => {
    if (!request.path.startsWith(`${API_PREFIX}/`)) return next(error);
    response
      .status(200)
      .json(failure(ErrorCode.invalidParameter, 'The request body is not valid JSON.'));
  };
}

/** Every answer's `Date` header reads TikTok's clock, the one clock a client can compare with its own. */
export function tiktokClockHeader(state: SandboxState) {
  return (_request: Request, response: Response, next: NextFunction): void => {
    response.setHeader('Date', new Date(state.now()).toUTCString());
    next();
  };
}
