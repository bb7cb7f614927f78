// The cached activations at the cut, held in memory as float16 (half the bytes of float32), and the
// training batches built from them: each photo in one of its cached views, its feature map flipped
// left-right or not, written straight into the batch-inside-channels layout the training graph reads.
import fs from 'node:fs/promises';
import { SkulensError } from '../errors.js';

/** float16 bits -> float32, for every bit pattern. */
const HALF = (() => {
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    table[h] = exp === 0 ? sign * 2 ** -14 * (frac / 1024) : exp === 31 ? (frac ? NaN : sign * Infinity) : sign * 2 ** (exp - 15) * (1 + frac / 1024);
  }
  return table;
})();

export class FeatureCache {
  readonly size: number;

  private constructor(
    readonly data: Uint16Array,
    readonly items: number,
    readonly views: number,
    readonly shape: readonly [number, number, number],
  ) {
    this.size = shape[0] * shape[1] * shape[2];
  }

  /**
   * Reads every item's view files (float16, one [C, H, W] map each).
   *
   * @throws SkulensError ERR_FINETUNE_FAILED naming a file of the wrong size.
   */
  static async load(files: readonly (readonly string[])[], shape: readonly [number, number, number]): Promise<FeatureCache> {
    const views = files[0]?.length ?? 1;
    const size = shape[0] * shape[1] * shape[2];
    const data = new Uint16Array(files.length * views * size);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < files.length) {
        const i = next++;
        for (const [v, file] of files[i]!.entries()) {
          const bytes = await fs.readFile(file);
          if (bytes.length !== size * 2) throw new SkulensError('ERR_FINETUNE_FAILED', { detail: `cached activations ${file} hold ${bytes.length / 2} values, expected ${size}; delete the file to recompute it` });
          data.set(new Uint16Array(bytes.buffer, bytes.byteOffset, size), (i * views + v) * size);
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, lane));
    return new FeatureCache(data, files.length, views, shape);
  }

  /**
   * Writes photos `index` (view `views[k]`, mirrored where `flips[k]`) into `out`, laid out as one image of
   * C * batch channels (channel c * batch + k is photo k's channel c); slots past index.length are zero.
   */
  fill(out: Float32Array, batch: number, index: readonly number[], views: readonly number[], flips: readonly boolean[]): void {
    const [C, H, W] = this.shape;
    const hw = H * W;
    if (index.length < batch) out.fill(0);
    index.forEach((item, k) => {
      const src = (item * this.views + views[k]!) * this.size;
      const flip = flips[k]!;
      for (let c = 0; c < C; c++) {
        const from = src + c * hw;
        const to = (c * batch + k) * hw;
        if (!flip) {
          for (let p = 0; p < hw; p++) out[to + p] = HALF[this.data[from + p]!]!;
          continue;
        }
        for (let h = 0; h < H; h++) {
          const row = h * W;
          for (let w = 0; w < W; w++) out[to + row + w] = HALF[this.data[from + row + W - 1 - w]!]!;
        }
      }
    });
  }
}
