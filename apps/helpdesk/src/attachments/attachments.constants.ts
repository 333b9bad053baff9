import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The absolute directory where inbound attachments' bytes are kept (one file per attachment). */
export const INBOUND_ATTACHMENTS_DIRECTORY = Symbol('INBOUND_ATTACHMENTS_DIRECTORY');

/** Where the REST API serves an inbound attachment's bytes. */
export function inboundAttachmentUrl(id: string): string {
  return `/api/inbound-attachments/${id}`;
}

/** Where attachments go when the configuration names no directory (tests, tools). */
export function defaultAttachmentsDirectory(): string {
  return join(tmpdir(), 'tiktok-helpdesk-attachments');
}
