import type { Metadata, OutputInfo, Sharp, SharpOptions } from 'sharp';
import { OutboundRefusal } from './outbound-refusal';

/**
 * TikTok's media/upload takes JPG or PNG up to "3 MB". Read as 3,000,000 bytes, the stricter of
 * the two readings, so an image passes whichever TikTok means.
 */
export const MAX_IMAGE_BYTES = 3_000_000;

export interface PreparedImage {
  bytes: Buffer;
  contentType: 'image/jpeg' | 'image/png';
  fileName: string;
  /** False when the original went through untouched. */
  converted: boolean;
  width: number;
  height: number;
}

type SharpFactory = (input: Buffer, options?: SharpOptions) => Sharp;
let sharpFactory: Promise<SharpFactory> | undefined;

/**
 * sharp (libvips) costs about 20 MB of RSS once loaded: required on the first image prepared, not
 * when the library starts, so a host that never sends images never pays for it.
 */
function loadSharp(): Promise<SharpFactory> {
  sharpFactory ??= import('sharp').then((module) => module.default);
  return sharpFactory;
}

/** JPEG qualities tried in turn before the dimensions shrink. */
const QUALITIES = [90, 82, 74, 66, 58, 50];
/** Each shrinking step keeps this share of the width and height (the aspect ratio stays). */
const SHRINK = 0.8;
/** Below this an image is not worth sending; TikTok shows thumbnails larger than that. */
const MIN_SIDE = 64;

/**
 * Makes an attachment something TikTok accepts. A JPG or PNG of at most 3 MB goes through as it
 * is; anything else (WebP, GIF, HEIC, AVIF, TIFF, SVG, an oversized JPG or PNG) becomes a JPEG of
 * at most 3 MB: upright (EXIF orientation applied), transparency flattened on white, the first
 * frame of an animation, the quality lowered first and only then the dimensions, keeping the
 * aspect ratio. The format is read from the bytes, never from the declared type or the name.
 */
export async function prepareImage(
  bytes: Buffer,
  fileName: string,
  maxBytes = MAX_IMAGE_BYTES,
): Promise<PreparedImage> {
  const sharp = await loadSharp();
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes).metadata();
  } catch {
    throw new OutboundRefusal(
      'unsupported_media',
      `${fileName} could not be read as an image (is it damaged, or not an image?).`,
    );
  }
  const width = metadata.width ?? 0;
  const height = metadata.height ?? 0;
  if (!width || !height) {
    throw new OutboundRefusal('unsupported_media', `${fileName} is not an image with a size.`);
  }
  const original =
    metadata.format === 'jpeg' ? 'image/jpeg' : metadata.format === 'png' ? 'image/png' : null;
  // EXIF orientation 5–8 turns the picture by 90°: width and height swap once it is applied.
  const rotated = (metadata.orientation ?? 1) >= 5;
  if (original && bytes.length <= maxBytes) {
    return {
      bytes,
      contentType: original,
      fileName,
      converted: false,
      width: rotated ? height : width,
      height: rotated ? width : height,
    };
  }

  const uprightWidth = rotated ? height : width;
  let scale = 1;
  for (;;) {
    const targetWidth = Math.max(1, Math.round(uprightWidth * scale));
    for (const quality of scale === 1 ? QUALITIES : QUALITIES.slice(-2)) {
      const { data, info } = await toJpeg(
        sharp,
        bytes,
        scale === 1 ? undefined : targetWidth,
        quality,
      );
      if (data.length <= maxBytes) {
        return {
          bytes: data,
          contentType: 'image/jpeg',
          fileName: jpegName(fileName),
          converted: true,
          width: info.width,
          height: info.height,
        };
      }
    }
    scale *= SHRINK;
    if (Math.min(width, height) * scale < MIN_SIDE) {
      throw new OutboundRefusal(
        'unsupported_media',
        `${fileName} could not be made into a JPEG of at most 3 MB that is still worth showing.`,
      );
    }
  }
}

async function toJpeg(
  sharp: SharpFactory,
  bytes: Buffer,
  width: number | undefined,
  quality: number,
): Promise<{ data: Buffer; info: OutputInfo }> {
  // rotate() applies the EXIF orientation first, so `width` is the upright picture's width.
  let pipeline = sharp(bytes, { animated: false }).rotate();
  if (width !== undefined) pipeline = pipeline.resize({ width, withoutEnlargement: true });
  return pipeline
    .flatten({ background: '#ffffff' })
    .jpeg({ quality })
    .toBuffer({ resolveWithObject: true });
}

function jpegName(fileName: string): string {
  const base = fileName.replace(/\.[A-Za-z0-9]{1,5}$/, '');
  return `${base || 'image'}.jpg`;
}
