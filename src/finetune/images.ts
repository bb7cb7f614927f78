// Decodes a job's images once, in TypeScript with the serving preprocessing, into one uint8 file the
// engine maps: N canvases of S x S x 3 (HWC). S is the backbone's shorter-side resize (256 for a
// 224 crop), so random crops have room and the engine's centre crop is exactly what serving sees.
// The engine then needs neither PIL nor torchvision.
import fs from 'node:fs/promises';
import type { BackboneSpec, EmbedInput } from '../backbone/index.js';
import { preprocess } from '../backbone/index.js';
import { SkulensError } from '../errors.js';

/** Side of the stored canvas for a backbone's input settings. */
export function canvasSide(input: BackboneSpec['input']): number {
  return input.resize === 'shorter-side-crop' ? (input.shorterSide ?? input.size) : input.size;
}

/** Per-channel mean and std in pixel units (raw255 = identity). */
export function pixelScale(input: BackboneSpec['input']): { mean: [number, number, number]; std: [number, number, number] } {
  if (input.scale === 'raw255') return { mean: [0, 0, 0], std: [1, 1, 1] };
  return { mean: [...input.scale.mean], std: [...input.scale.std] };
}

/** Options of {@link writeCanvasFile}. */
export interface CanvasOptions {
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Images decoded at once (sharp works on libuv's thread pool). Default 4. */
  concurrency?: number;
}

/**
 * Writes every image's canvas, in order, to `file`.
 *
 * @throws SkulensError ERR_IMAGE_UNREADABLE naming the file; ERR_TRAINING_CANCELLED (version 'prepare') when aborted.
 */
export async function writeCanvasFile(inputs: readonly EmbedInput[], input: BackboneSpec['input'], file: string, options: CanvasOptions = {}): Promise<number> {
  const side = canvasSide(input);
  // A canvas is the serving resize without its final crop, as raw 0..255 values in HWC order.
  const canvasSpec: BackboneSpec['input'] = { ...input, size: side, shorterSide: side, scale: 'raw255', layout: 'nhwc' };
  const frame = side * side * 3;
  const handle = await fs.open(file, 'w');
  try {
    let next = 0;
    let done = 0;
    const worker = async (): Promise<void> => {
      while (next < inputs.length) {
        if (options.signal?.aborted) throw new SkulensError('ERR_TRAINING_CANCELLED', { version: 'prepare' });
        const index = next++;
        const { data } = await preprocess(inputs[index]!, canvasSpec);
        const bytes = Uint8Array.from(data);
        await handle.write(bytes, 0, frame, index * frame);
        options.onProgress?.(++done, inputs.length);
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  } finally {
    await handle.close();
  }
  return side;
}
