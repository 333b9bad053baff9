import { Injectable, Logger, Optional } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';

/**
 * Emits automation events when the host has `EventEmitterModule`; without it the library still
 * works, there is just nobody listening. A throwing listener never breaks the library's flow.
 */
@Injectable()
export class TiktokEventPublisher {
  private readonly logger = new Logger('TiktokChannel');

  constructor(@Optional() private readonly emitter?: EventEmitter2) {}

  publish<T extends object>(name: string, payload: T): void {
    if (!this.emitter) return;
    try {
      this.emitter.emit(name, payload);
    } catch (error) {
      this.logger.error(`A listener of ${name} threw: ${(error as Error).message}`);
    }
  }
}
