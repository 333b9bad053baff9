import { Controller, Get } from '@nestjs/common';
import type { InboxView } from '../inboxes/inbox.view';
import { InboxesService } from '../inboxes/inboxes.service';

@Controller('api/inboxes')
export class InboxesController {
  constructor(private readonly inboxes: InboxesService) {}

  @Get()
  list(): Promise<InboxView[]> {
    return this.inboxes.list();
  }
}
