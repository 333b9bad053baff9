import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { InboundAttachmentStore } from './inbound-attachment.store';
import { HelpdeskApi } from '../auth/helpdesk-api.decorator';

/**
 * Serves the images, videos and stickers TikTok users sent, from disk. Express's `sendFile`
 * streams the file and answers `Range` requests (206 with `Content-Range`, 416 when out of
 * range), which a `<video>` needs to seek; the stored content type is set first, so it is the
 * one sent, whatever the file name would suggest.
 */
@Controller('api/inbound-attachments')
@HelpdeskApi()
export class InboundAttachmentsController {
  constructor(private readonly store: InboundAttachmentStore) {}

  @Get(':id')
  async serve(@Param('id') id: string, @Res() response: Response): Promise<void> {
    const file = await this.store.open(id);
    if (!file) throw new NotFoundException(`Attachment ${id} does not exist`);
    response
      .type(file.contentType)
      .set('X-Content-Type-Options', 'nosniff')
      // A customer's file is shown, never run: no script can act from it, whatever its type says.
      .set(
        'Content-Security-Policy',
        "default-src 'none'; img-src 'self'; media-src 'self'; sandbox",
      )
      .set('Cache-Control', 'private, max-age=3600');
    await new Promise<void>((resolve) => {
      response.sendFile(file.path, { acceptRanges: true, cacheControl: false }, (error) => {
        // A range past the end (416; `send` has set Content-Range already), or the file
        // vanished between the check and the read (404). When the browser went away mid-video
        // the headers are sent and there is no one left to answer.
        if (error && !response.headersSent) {
          response.status((error as Error & { status?: number }).status ?? 404).end();
        }
        resolve();
      });
    });
  }
}
