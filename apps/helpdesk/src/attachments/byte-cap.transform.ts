import { Transform, type TransformCallback } from 'node:stream';
import { AttachmentTooLargeError } from './attachment-too-large.error';

/**
 * Passes bytes through and counts them, failing the stream as soon as they run over `maxBytes`:
 * a sender that announces a small file and sends a large one is stopped at the cap, not after it.
 */
export class ByteCapTransform extends Transform {
  private count = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  get bytes(): number {
    return this.count;
  }

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, done: TransformCallback) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.count += buffer.length;
    if (this.count > this.maxBytes) {
      done(new AttachmentTooLargeError(this.maxBytes, this.count));
      return;
    }
    done(null, buffer);
  }
}
