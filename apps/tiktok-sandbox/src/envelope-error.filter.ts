import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { ErrorCode, failure, TikTokApiError } from './envelope';

const logger = new Logger('TikTokSandbox');

/** The HTTP status and body a Business endpoint answers a thrown error with. */
export function errorAnswer(exception: unknown): { status: number; body: unknown } {
  if (exception instanceof TikTokApiError) {
    return { status: 200, body: failure(exception.code, exception.message) };
  }
  if (exception instanceof HttpException && exception.getStatus() === 404) {
    return { status: 404, body: exception.getResponse() };
  }
  if (exception instanceof HttpException && exception.getStatus() < 500) {
    return { status: 200, body: failure(ErrorCode.invalidParameter, exception.message) };
  }
  logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : exception);
  return { status: 200, body: failure(ErrorCode.systemError) };
}

/**
 * TikTok answers errors with HTTP 200 and a non-zero code; clients that only look at the HTTP
 * status must be caught out here as they would be in production.
 */
@Catch()
export class EnvelopeErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const { status, body } = errorAnswer(exception);
    host.switchToHttp().getResponse<Response>().status(status).json(body);
  }
}
