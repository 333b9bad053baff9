import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';

export type SampleFormat = 'png' | 'jpeg' | 'mp4';

export const SAMPLE_CONTENT_TYPES: Record<SampleFormat, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  mp4: 'video/mp4',
};

/** The committed video: 64×64, one second of H.264 (baseline), a couple of KB. */
const VIDEO_FIXTURE = 'sample.mp4';

/** From the sources (apps/tiktok-sandbox/src) or from the build (dist/apps/tiktok-sandbox/src). */
function fixturePath(name: string): string {
  const candidates = [
    join(__dirname, '..', 'fixtures', name),
    join(__dirname, '..', '..', '..', '..', 'apps', 'tiktok-sandbox', 'fixtures', name),
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found)
    throw new Error(`the sandbox fixture ${name} is missing (looked in ${candidates.join(', ')})`);
  return found;
}

/**
 * Real bytes for what people send: a PNG and a JPEG drawn with sharp at start, and the committed
 * MP4. Small, so a test can compare them byte for byte.
 */
export class SampleMedia {
  private constructor(private readonly files: Record<SampleFormat, Buffer>) {}

  static async load(): Promise<SampleMedia> {
    // A coloured block with a lighter square, so a browser shows something visible.
    const base = sharp({
      create: { width: 64, height: 48, channels: 3, background: { r: 254, g: 44, b: 85 } },
    }).composite([
      {
        input: await sharp({
          create: { width: 24, height: 24, channels: 3, background: { r: 37, g: 244, b: 238 } },
        })
          .png()
          .toBuffer(),
        left: 20,
        top: 12,
      },
    ]);
    const [png, jpeg] = await Promise.all([
      base.clone().png().toBuffer(),
      base.clone().jpeg({ quality: 80 }).toBuffer(),
    ]);
    return new SampleMedia({ png, jpeg, mp4: readFileSync(fixturePath(VIDEO_FIXTURE)) });
  }

  bytes(format: SampleFormat): Buffer {
    return this.files[format];
  }

  /**
   * Exactly `size` bytes: the sample's, then zeros, produced chunk by chunk so a large file never
   * sits in memory (the client's byte cap is what is being tested). A size below the sample's own
   * truncates it.
   */
  stream(format: SampleFormat, size: number = this.files[format].length): Readable {
    const head = this.files[format].subarray(0, size);
    const chunk = Buffer.alloc(64 * 1024);
    let left = size - head.length;
    let sentHead = false;
    return new Readable({
      read() {
        if (!sentHead) {
          sentHead = true;
          if (head.length) {
            this.push(head);
            return;
          }
        }
        if (left <= 0) {
          this.push(null);
          return;
        }
        const next = Math.min(left, chunk.length);
        left -= next;
        this.push(next === chunk.length ? chunk : chunk.subarray(0, next));
      },
    });
  }
}
