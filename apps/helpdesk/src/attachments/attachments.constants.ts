/** The absolute directory where inbound attachments' bytes are kept (one file per attachment). */
export const INBOUND_ATTACHMENTS_DIRECTORY = Symbol('INBOUND_ATTACHMENTS_DIRECTORY');

/** Where the REST API serves an inbound attachment's bytes. */
export function inboundAttachmentUrl(id: string): string {
  return `/api/inbound-attachments/${id}`;
}
