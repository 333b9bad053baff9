import { resolve } from 'node:path';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { INBOUND_ATTACHMENTS_DIRECTORY } from './attachments.constants';
import { InboundAttachmentStore } from './inbound-attachment.store';
import { InboundAttachmentsController } from './inbound-attachments.controller';

/**
 * Inbound attachments on disk and the route that serves them. Global because the TikTok port
 * adapter, which the library instantiates inside its own module, stores through it.
 */
@Global()
@Module({})
export class HelpdeskAttachmentsModule {
  /**
   * `routes: false` keeps the store without the serving route, for a context without HTTP or
   * sign-in (the operator tools build the port adapter, which needs the store).
   */
  static forRoot(options: { directory: string; routes?: boolean }): DynamicModule {
    return {
      module: HelpdeskAttachmentsModule,
      controllers: options.routes === false ? [] : [InboundAttachmentsController],
      providers: [
        { provide: INBOUND_ATTACHMENTS_DIRECTORY, useValue: resolve(options.directory) },
        InboundAttachmentStore,
      ],
      exports: [InboundAttachmentStore],
    };
  }
}
