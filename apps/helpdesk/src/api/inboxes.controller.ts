import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  UsePipes,
} from '@nestjs/common';
import { RenameInboxDto } from './dto/rename-inbox.dto';
import { helpdeskValidation } from './validation';
import type { InboxView } from '../inboxes/inbox.view';
import { InboxesService, type InboxDisconnected } from '../inboxes/inboxes.service';
import { HelpdeskApi } from '../auth/helpdesk-api.decorator';
import { AdminOnly } from '../auth/signed-in.guard';

@Controller('api/inboxes')
@HelpdeskApi()
export class InboxesController {
  constructor(private readonly inboxes: InboxesService) {}

  @Get()
  list(): Promise<InboxView[]> {
    return this.inboxes.list();
  }

  @Get(':id')
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<InboxView> {
    return this.inboxes.get(id);
  }

  /** `{ name }`: renames the inbox (admin only). */
  @Patch(':id')
  @AdminOnly()
  @UsePipes(helpdeskValidation)
  rename(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: RenameInboxDto,
  ): Promise<InboxView> {
    return this.inboxes.rename(id, body.name);
  }

  /**
   * Disconnects the inbox's TikTok account: TikTok's grant is revoked and the tokens wiped; the
   * inbox and its conversations stay, and "Sign in with TikTok" for it reconnects. 200, not 201.
   */
  @Post(':id/disconnect')
  @AdminOnly()
  @HttpCode(200)
  disconnect(@Param('id', new ParseUUIDPipe()) id: string): Promise<InboxDisconnected> {
    return this.inboxes.disconnect(id);
  }
}
