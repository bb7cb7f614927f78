// The pixel limit of every image skulens decodes for a request or a batch (4096 px a side, as for
// training), checked from the header alone before any pixel is decoded.
import sharp from 'sharp';
import { SkulensError } from '../errors.js';
import { LIMITS } from './limits.js';

/**
 * Throws ERR_IMAGE_TOO_LARGE when the header of `bytes` claims more than LIMITS.maxSide on a side, and
 * ERR_IMAGE_UNREADABLE when there is no header to read.
 */
export async function checkPixelLimit(bytes: Uint8Array, name: string): Promise<void> {
  let size: { width?: number; height?: number };
  try {
    size = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new SkulensError('ERR_IMAGE_UNREADABLE', { file: name, detail: 'its header cannot be read' }, { cause: error });
  }
  const { width = 0, height = 0 } = size;
  if (width > LIMITS.maxSide || height > LIMITS.maxSide) {
    throw new SkulensError('ERR_IMAGE_TOO_LARGE', { file: name, detail: `${width}x${height} px; at most ${LIMITS.maxSide}x${LIMITS.maxSide}` });
  }
}
