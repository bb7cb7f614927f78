// Where training batches come from, one interface for both ways the engine trains: the fast path's cached
// activations at the cut (a random cached view, its map flipped with probability `flip`), or, with the cut at
// the input (fine-tuning), decoded canvases augmented in TypeScript. Both write the batch-inside-channels
// layout: one image of C * batch channels, channel c * batch + k = photo k's channel c.
import { centreBatch, trainingBatch, type Canvases, type CropSettings } from '../augment/index.js';
import type { FeatureCache } from './features.js';

export interface BatchSource {
  /** Per photo, the shape at the cut [C, H, W]. */
  readonly shape: readonly [number, number, number];
  /** A training batch of photos `index` (augmented), drawing from `random`. */
  training(out: Float32Array, batch: number, index: readonly number[], random: () => number): void;
  /** Photos `index` as serving sees them (mirrored when `flip`). */
  centre(out: Float32Array, batch: number, index: readonly number[], flip: boolean): void;
}

/** The fast path's source: cached activations, a random view each, flipped with probability `flip`. */
export function cachedActivations(features: FeatureCache, flip: number): BatchSource {
  return {
    shape: features.shape,
    training: (out, batch, index, random) =>
      features.fill(out, batch, index, index.map(() => Math.floor(random() * features.views)), index.map(() => random() < flip)),
    centre: (out, batch, index, mirrored) => features.fill(out, batch, index, index.map(() => 0), index.map(() => mirrored)),
  };
}

/** Fine-tuning's source: decoded canvases, augmented for training, their centre crop for scoring. */
export function augmentedPixels(canvases: Canvases, settings: CropSettings): BatchSource {
  return {
    shape: [3, settings.size, settings.size],
    training: (out, batch, index, random) => trainingBatch(canvases, index, batch, settings, random, out),
    centre: (out, batch, index, flip) => centreBatch(canvases, index, batch, settings, out, flip),
  };
}
