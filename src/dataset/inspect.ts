// Decodes one image with sharp to prove it is whole and within limits, and computes its content
// hash and a 64-bit difference hash (dHash) for near-duplicate checks.
import { createHash } from 'node:crypto';
import sharp, { type Metadata } from 'sharp';
import { SkulensError } from '../errors.js';
import { LIMITS, type ImageFormat } from './limits.js';

export interface ImageFacts {
  sha256: string;
  format: ImageFormat;
  width: number;
  height: number;
  bytes: number;
  dhash: string;
}

export interface InspectOptions {
  minSide?: number;
  maxSide?: number;
  maxFileBytes?: number;
}

/**
 * Checks that `bytes` is a whole image of a format in LIMITS.formats within the size limits; throws a
 * coded SkulensError naming `file` otherwise (ERR_IMAGE_HEIC, with how to convert, for an iPhone HEIC
 * photo). The header is checked before any pixel is allocated.
 */
export async function inspectImage(bytes: Uint8Array, file: string, options: InspectOptions = {}): Promise<ImageFacts> {
  const minSide = options.minSide ?? LIMITS.minSide;
  const maxSide = options.maxSide ?? LIMITS.maxSide;
  const maxFileBytes = options.maxFileBytes ?? LIMITS.maxFileBytes;
  if (bytes.length === 0) throw new SkulensError('ERR_IMAGE_UNREADABLE', { file, detail: 'the file is empty' });
  if (bytes.length > maxFileBytes) {
    throw new SkulensError('ERR_IMAGE_TOO_LARGE', { file, detail: `${bytes.length} bytes, the limit is ${maxFileBytes}` });
  }
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, { limitInputPixels: LIMITS.maxPixels }).metadata();
  } catch (error) {
    throw unreadable(file, error);
  }
  const format = formatOf(metadata);
  if (format === 'heic') throw new SkulensError('ERR_IMAGE_HEIC', { file });
  // Animation first: an animated GIF is better reported as animated than as a GIF. A multi-page TIFF is a
  // document's pages, not frames: its first page is the image, as when predicting.
  if ((metadata.pages ?? 1) > 1 && format !== 'tiff') throw new SkulensError('ERR_IMAGE_ANIMATED', { file, frames: metadata.pages });
  if (!format || !(LIMITS.formats as readonly string[]).includes(format)) {
    throw new SkulensError('ERR_IMAGE_FORMAT_UNSUPPORTED', { file, format: format ?? 'an unknown format' });
  }
  const width = metadata.autoOrient?.width ?? metadata.width ?? 0;
  const height = metadata.autoOrient?.height ?? metadata.height ?? 0;
  if (width > maxSide || height > maxSide) {
    throw new SkulensError('ERR_IMAGE_TOO_LARGE', { file, detail: `${width}x${height} px, each side may be at most ${maxSide} px` });
  }
  if (width < minSide || height < minSide) {
    throw new SkulensError('ERR_IMAGE_TOO_SMALL', { file, width, height, min: minSide });
  }
  let dhash: string;
  try {
    dhash = await differenceHash(bytes);
  } catch (error) {
    throw unreadable(file, error, looksTruncated(bytes, format as ImageFormat));
  }
  return { sha256: sha256Hex(bytes), format: format as ImageFormat, width, height, bytes: bytes.length, dhash };
}

/** sharp's format name, with its HEIF container told apart: AV1 inside is AVIF (decoded), HEVC is HEIC. */
function formatOf(metadata: Metadata): string | undefined {
  if (metadata.format !== 'heif') return metadata.format;
  return metadata.compression === 'av1' ? 'avif' : 'heic';
}

function unreadable(file: string, error: unknown, truncated = false): SkulensError {
  const message = error instanceof Error ? error.message : String(error);
  if (truncated || /premature end|truncated/i.test(message)) {
    return new SkulensError('ERR_IMAGE_TRUNCATED', { file, detail: message.split('\n')[0] }, { cause: error });
  }
  if (/pixel limit/i.test(message)) {
    return new SkulensError('ERR_IMAGE_TOO_LARGE', { file, detail: `its header claims more than ${LIMITS.maxPixels} pixels` }, { cause: error });
  }
  if (/unsupported image format/i.test(message)) {
    return new SkulensError('ERR_IMAGE_FORMAT_UNSUPPORTED', { file, format: 'not an image sharp recognises' }, { cause: error });
  }
  return new SkulensError('ERR_IMAGE_UNREADABLE', { file, detail: message.split('\n')[0] }, { cause: error });
}

/**
 * True when a file that failed to decode also lacks its format's end marker (JPEG EOI, PNG IEND, GIF
 * trailer, or a RIFF size past the end of a WebP): the signature of a cut-off copy rather than corrupt content.
 */
function looksTruncated(bytes: Uint8Array, format: ImageFormat): boolean {
  const n = bytes.length;
  if (format === 'jpeg') return !(n >= 2 && bytes[n - 2] === 0xff && bytes[n - 1] === 0xd9);
  if (format === 'png') return !(n >= 12 && Buffer.from(bytes.subarray(n - 8, n - 4)).toString('latin1') === 'IEND');
  if (format === 'gif') return bytes[n - 1] !== 0x3b;
  if (format !== 'webp') return false;
  return n >= 8 && Buffer.from(bytes.buffer, bytes.byteOffset, n).readUInt32LE(4) + 8 > n;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** dHash: 9x8 greyscale thumbnail, one bit per horizontally adjacent pair. Decodes the whole image, so truncation fails here. */
export async function differenceHash(bytes: Uint8Array): Promise<string> {
  const pixels = await sharp(bytes, { failOn: 'truncated', limitInputPixels: LIMITS.maxPixels })
    .rotate()
    .greyscale()
    .resize(9, 8, { fit: 'fill' })
    .raw()
    .toBuffer();
  let hash = 0n;
  for (let row = 0; row < 8; row += 1) {
    for (let col = 0; col < 8; col += 1) {
      const left = pixels[row * 9 + col] as number;
      const right = pixels[row * 9 + col + 1] as number;
      hash = (hash << 1n) | (left > right ? 1n : 0n);
    }
  }
  return hash.toString(16).padStart(16, '0');
}

/** Number of differing bits between two dHashes (0 = same picture, <= 10 = near duplicate). */
export function hammingDistance(a: string, b: string): number {
  let x = BigInt(`0x${a}`) ^ BigInt(`0x${b}`);
  let count = 0;
  while (x > 0n) {
    count += Number(x & 1n);
    x >>= 1n;
  }
  return count;
}
