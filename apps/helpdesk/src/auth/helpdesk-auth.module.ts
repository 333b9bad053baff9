import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UserEntity } from '../database/entities/user.entity';
import { AgentsController } from './agents.controller';
import { Authenticator } from './authenticator.service';
import { HELPDESK_AUTH_CONFIG, type HelpdeskAuthConfig } from './helpdesk-auth.config';
import { RequestOriginGuard } from './request-origin.guard';
import { SessionController } from './session.controller';
import { SessionsService } from './sessions.service';
import { SignedInGuard } from './signed-in.guard';
import { SignInThrottle } from './sign-in-throttle';
import { UsersService } from './users.service';

/**
 * Sign-in for the page and the API. Global, so every helpdesk controller can use its guards and
 * the TikTok channel's connect resolver can ask who is signed in.
 */
@Global()
@Module({})
export class HelpdeskAuthModule {
  static forRoot(config: HelpdeskAuthConfig): DynamicModule {
    const providers = [
      { provide: HELPDESK_AUTH_CONFIG, useValue: config },
      UsersService,
      SessionsService,
      Authenticator,
      SignedInGuard,
      SignInThrottle,
      RequestOriginGuard,
    ];
    return {
      module: HelpdeskAuthModule,
      imports: [TypeOrmModule.forFeature([UserEntity])],
      controllers: [SessionController, AgentsController],
      providers,
      exports: providers,
    };
  }
}
