// The fast path's activation cache: one float16 file per (backbone weights, cut, image sha256, view),
// so a retrain after new photos computes the frozen lower part for the new photos only. The engine
// writes the files (atomically); this module names them and says which are already there.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { BackboneSpec } from '../backbone/index.js';
import { SkulensError } from '../errors.js';
import type { HomeLayout } from '../home/index.js';

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * How a view is computed; part of its cache key. A change to the recipe must change these names, so
 * that stale files are never read as new ones.
 */
export const VIEW_KEYS = Object.freeze(['centre', 'crop1-a50', 'crop2-a50', 'crop3-a50'] as const);
/** Strength of the random resized crops named above (area kept in [0.5, 1], aspect 3/4 to 4/3). */
export const CROP_STRENGTH = 1;
/**
 * Colour jitter of the crops named above (brightness, contrast, saturation factors in 1 +- JITTER): none.
 * 0.2 measured worse (grocery-store-dev val 0.794 with 3 jittered views vs 0.841 with 2 plain ones).
 * A non-zero value must also change the view keys.
 */
export const JITTER = 0;

/** Cache files of the fast path, under the home's cache folder. */
export class ActivationCache {
  readonly dir: string;

  /** `<home>/cache/activations`, beside the embedding cache. */
  constructor(home: Pick<HomeLayout, 'embeddingCache'>) {
    this.dir = path.join(path.dirname(home.embeddingCache), 'activations');
  }

  /**
   * Folder of one backbone's weights at its input side, cut at the last block with `channels` channels, computed by
   * onnxruntime (`-ort`: its random crops are drawn from the original image).
   */
  cutDir(spec: BackboneSpec, channels: number): string {
    const sha = spec.weights.source === 'file' ? spec.weights.sha256 : undefined;
    const model = sha ? `${spec.id}-${sha.slice(0, 16)}` : spec.id;
    return path.join(this.dir, model, `c${channels}-s${spec.input.size}-ort`);
  }

  /** The file of one view (0 = centre) of one image. */
  fileOf(cutDir: string, sha256: string, view: number): string {
    if (!SHA256.test(sha256)) throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'sha256', detail: `${JSON.stringify(sha256)} is not 64 lower-case hex digits` });
    const key = VIEW_KEYS[view];
    if (key === undefined) throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'views', detail: `${view + 1}; at most ${VIEW_KEYS.length}` });
    return path.join(cutDir, sha256.slice(0, 2), `${sha256}.${key}.f16`);
  }

  /** Every view's file of an image, the views whose file is missing (or empty), and whether none is. */
  async lookup(cutDir: string, sha256: string, views: number): Promise<{ files: string[]; missing: number[]; present: boolean }> {
    const files = Array.from({ length: views }, (_, v) => this.fileOf(cutDir, sha256, v));
    const sizes = await Promise.all(files.map((file) => fs.stat(file).then((s) => s.size, () => 0)));
    const missing = sizes.flatMap((size, v) => (size > 0 ? [] : [v]));
    return { files, missing, present: missing.length === 0 };
  }
}

/** The seed of an image's random crops: from its content, so a view is the same on every machine and run. */
export function viewSeed(sha256: string): number {
  return Number.parseInt(sha256.slice(0, 7), 16);
}
