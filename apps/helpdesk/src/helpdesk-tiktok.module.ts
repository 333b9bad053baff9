import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InboxProfileController } from './api/inbox-profile.controller';
import { InboxEntity } from './database/entities/inbox.entity';
import { InboxProfileService } from './inboxes/inbox-profile.service';
import { InboxesService } from './inboxes/inboxes.service';

/**
 * The helpdesk features that call TikTok directly through the library's client and tokens (not
 * only its messenger). Kept out of HelpdeskCoreModule, whose tests fake the library.
 */
@Module({
  imports: [TypeOrmModule.forFeature([InboxEntity])],
  controllers: [InboxProfileController],
  providers: [InboxProfileService, InboxesService],
})
export class HelpdeskTiktokModule {}
