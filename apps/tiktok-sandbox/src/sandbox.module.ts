import { DynamicModule, Module } from '@nestjs/common';
import { AuthorizeController } from './authorize.controller';
import { BusinessApiController } from './business-api.controller';
import { ControlController } from './control.controller';
import { DiagnosticsControlController } from './diagnostics-control.controller';
import { FaultBook } from './faults';
import { PersonEventsController } from './person-events.controller';
import { PersonMessagesController } from './person-messages.controller';
import { InboundState } from './inbound-state';
import { MediaCdnController, MediaDownloadController } from './media-download.controller';
import { SampleMedia } from './sample-media';
import { MessagingController } from './messaging.controller';
import { OAuthController } from './oauth.controller';
import { OutboundApiController } from './outbound-api.controller';
import { OutboundControlController } from './outbound-control.controller';
import { OutboundState } from './outbound-state';
import { RateLimits } from './rate-limits';
import { SandboxConfig } from './options';
import { SANDBOX_CONFIG } from './sandbox-config.token';
import { SandboxState } from './sandbox-state';
import { Slowdowns } from './slowdowns';
import { SandboxStats } from './stats';
import { WebhookDelivery } from './webhook-delivery';

export interface SandboxParts {
  config: SandboxConfig;
  state: SandboxState;
  stats: SandboxStats;
  faults: FaultBook;
  slowdowns: Slowdowns;
  delivery: WebhookDelivery;
  outbound: OutboundState;
  rateLimits: RateLimits;
  inbound: InboundState;
  samples: SampleMedia;
}

/** Every sandbox gets its own instances, so several can run in one process (one per test). */
@Module({})
export class SandboxModule {
  static register(parts: SandboxParts): DynamicModule {
    return {
      module: SandboxModule,
      controllers: [
        AuthorizeController,
        OAuthController,
        BusinessApiController,
        MessagingController,
        ControlController,
        OutboundApiController,
        OutboundControlController,
        DiagnosticsControlController,
        PersonMessagesController,
        PersonEventsController,
        MediaDownloadController,
        MediaCdnController,
      ],
      providers: [
        { provide: SANDBOX_CONFIG, useValue: parts.config },
        { provide: SandboxState, useValue: parts.state },
        { provide: SandboxStats, useValue: parts.stats },
        { provide: FaultBook, useValue: parts.faults },
        { provide: Slowdowns, useValue: parts.slowdowns },
        { provide: WebhookDelivery, useValue: parts.delivery },
        { provide: OutboundState, useValue: parts.outbound },
        { provide: RateLimits, useValue: parts.rateLimits },
        { provide: InboundState, useValue: parts.inbound },
        { provide: SampleMedia, useValue: parts.samples },
      ],
    };
  }
}
