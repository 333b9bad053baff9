import { LoggerService } from '@nestjs/common';

/** Hands Nest's own log lines to the `log` option, so one callback sees everything. */
export class LineLogger implements LoggerService {
  constructor(private readonly write: (line: string) => void) {}

  log(message: unknown, context?: string): void {
    this.line('log', message, context);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.line(
      'error',
      message,
      rest.find((item) => typeof item === 'string'),
    );
  }
  warn(message: unknown, context?: string): void {
    this.line('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.line('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.line('verbose', message, context);
  }

  private line(level: string, message: unknown, context?: string): void {
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    this.write(`[tiktok-sandbox] ${level}${context ? ` ${context}` : ''}: ${text}`);
  }
}
