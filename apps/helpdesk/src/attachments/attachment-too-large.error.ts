/**
 * An attachment's bytes ran over the cap the library gave. Permanent for these bytes: retrying
 * the same download yields the same size. Nothing of it is kept.
 */
export class AttachmentTooLargeError extends Error {
  readonly code = 'attachment_too_large';

  constructor(
    readonly maxBytes: number,
    readonly seenBytes: number,
  ) {
    super(`The attachment is larger than ${maxBytes} bytes (at least ${seenBytes} arrived)`);
    this.name = 'AttachmentTooLargeError';
  }
}
