import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { ErrorCode, failure, TikTokApiError } from './envelope';

/**
 * TikTok answers errors with HTTP 200 and a non-zero code; clients that only look at the HTTP
 * status must be caught out here as they would be in production.
 */
@Catch()
export class EnvelopeErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('TikTokSandbox');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (exception instanceof TikTokApiError) {
      response.status(200).json(failure(exception.code, exception.message));
      return;
    }
    if (exception instanceof HttpException && exception.getStatus() === 404) {
      response.status(404).json(exception.getResponse());
      return;
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      response.status(200).json(failure(ErrorCode.invalidParameter, exception.message));
      return;
    }
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : exception,
    );
    response.status(200).json(failure(ErrorCode.systemError));
  }
}
