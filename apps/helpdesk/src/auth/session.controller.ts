import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Post,
  Req,
  Res,
  UnauthorizedException,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { helpdeskValidation } from '../api/validation';
import { SignInDto } from './auth.dto';
import { InjectHelpdeskAuthConfig, type HelpdeskAuthConfig } from './helpdesk-auth.config';
import { RequestOriginGuard } from './request-origin.guard';
import { clearSessionCookie, readSessionCookie, writeSessionCookie } from './session-cookie';
import { SessionsService } from './sessions.service';
import { SignInThrottle } from './sign-in-throttle';
import { Authenticator } from './authenticator.service';
import type { SignedInUser } from './signed-in-user';
import { UsersService } from './users.service';

/** Signing the page in and out. Scripts need none of it: they send HTTP Basic on every call. */
@Controller('api/session')
@UseGuards(RequestOriginGuard)
@UsePipes(helpdeskValidation)
export class SessionController {
  private readonly secure: boolean;

  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly authenticator: Authenticator,
    private readonly throttle: SignInThrottle,
    @InjectHelpdeskAuthConfig() config: HelpdeskAuthConfig,
  ) {
    this.secure = config.publicUrl?.startsWith('https:') ?? false;
  }

  /**
   * Who is signed in, `{ user: null }` when nobody: the page asks first, to show the sign-in form
   * or the inboxes. 200 either way, so a browser logs no failed request for a normal visit.
   */
  @Get()
  async me(@Req() req: Request): Promise<{ user: SignedInUser | null }> {
    return { user: (await this.authenticator.authenticate(req)) ?? null };
  }

  @Post()
  @HttpCode(200)
  async signIn(
    @Body() body: SignInDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SignedInUser> {
    this.throttle.assertMayTry(body.email, req);
    const user = await this.users.check(body.email, body.password);
    if (!user) {
      this.throttle.failed(body.email, req);
      throw new UnauthorizedException('That email and password do not match a user');
    }
    this.throttle.succeeded(body.email, req);
    writeSessionCookie(res, await this.sessions.open(user.id), this.secure);
    return { id: user.id, email: user.email, name: user.name, role: user.role, via: 'session' };
  }

  @Delete()
  @HttpCode(204)
  async signOut(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    const token = readSessionCookie(req);
    if (token) await this.sessions.close(token);
    clearSessionCookie(res, this.secure);
  }
}
