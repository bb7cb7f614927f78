// The image and dataset limits skulens accepts: Rekognition Custom Labels' limits, as frozen data.
import { MAX_LABEL_LENGTH } from '../labels/index.js';

export const LIMITS = Object.freeze({
  /** Formats that import and prediction accept: what sharp's prebuilt libvips decodes (AVIF is its HEIF with AV1). */
  formats: Object.freeze(['jpeg', 'png', 'webp', 'avif', 'tiff', 'gif'] as const),
  minSide: 64,
  maxSide: 4096,
  maxFileBytes: 15 * 1024 * 1024,
  /** Pixel budget checked from the header before any pixel is decoded (decompression bombs). */
  maxPixels: 4096 * 4096,
  minLabels: 2,
  maxLabels: 250,
  advisedImagesPerLabel: 10,
  maxImagesPerDataset: 250_000,
  maxLabelLength: MAX_LABEL_LENGTH,
});

export type ImageFormat = (typeof LIMITS.formats)[number];
