import { Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { HelpdeskApi } from '../auth/helpdesk-api.decorator';
import { InboxProfileService } from '../inboxes/inbox-profile.service';
import type { InboxView } from '../inboxes/inbox.view';

@Controller('api/inboxes/:id/profile')
@HelpdeskApi()
export class InboxProfileController {
  constructor(private readonly profiles: InboxProfileService) {}

  /** Fetches the business profile (name, avatar) from TikTok again; 200 with the inbox. */
  @Post('refresh')
  @HttpCode(200)
  refresh(@Param('id', new ParseUUIDPipe()) id: string): Promise<InboxView> {
    return this.profiles.refresh(id);
  }
}
