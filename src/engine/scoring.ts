// Held-out photos through the current weights: their pooled embeddings from the scoring graph (batch inside
// channels, no dropout), and the logits the served head computes from them, optionally with each photo's
// embedding averaged with that of its mirrored feature map (what flip test-time augmentation does).
import type { Feed, GraphSession } from '../backbone/index.js';
import type { BatchSource } from './batches.js';
import { HEAD } from './network.js';

export interface Scorer {
  session: GraphSession;
  batch: number;
  cutName: string;
  dim: number;
  classes: number;
}

/** Raw pooled embeddings of photos `index` (centre view), mirrored maps when `flip`. */
export async function embeddings(scorer: Scorer, source: BatchSource, index: readonly number[], weights: Record<string, Feed>, flip = false): Promise<Float32Array> {
  const { batch, dim } = scorer;
  const [C, H, W] = source.shape;
  const out = new Float32Array(index.length * dim);
  const x = new Float32Array(batch * C * H * W);
  for (let start = 0; start < index.length; start += batch) {
    const part = index.slice(start, start + batch);
    source.centre(x, batch, part, flip);
    const result = await scorer.session.run({ ...weights, [scorer.cutName]: { data: x, dims: [1, C * batch, H, W] } }, [HEAD.embedding]);
    out.set(result[HEAD.embedding]!.subarray(0, part.length * dim), start * dim);
  }
  return out;
}

/** The classifier on raw embeddings: W (sqrt(dim) * e / |e|) + b, rows of `classes`. */
export function headLogits(e: Float32Array, w: Float32Array, b: Float32Array, dim: number, classes: number): Float32Array {
  const rows = e.length / dim;
  const out = new Float32Array(rows * classes);
  const scale = Math.sqrt(dim);
  for (let r = 0; r < rows; r++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += e[r * dim + j]! ** 2;
    const f = scale / Math.max(Math.sqrt(norm), 1e-12);
    for (let k = 0; k < classes; k++) {
      let z = b[k]!;
      for (let j = 0; j < dim; j++) z += w[k * dim + j]! * e[r * dim + j]! * f;
      out[r * classes + k] = z;
    }
  }
  return out;
}

/** Logits of photos `index` under the current weights (flip-averaged embeddings when `flipAverage`). */
export async function logitsOf(scorer: Scorer, source: BatchSource, index: readonly number[], weights: Record<string, Feed>, flipAverage = false): Promise<Float32Array> {
  const e = await embeddings(scorer, source, index, weights);
  if (flipAverage) {
    const mirrored = await embeddings(scorer, source, index, weights, true);
    for (let k = 0; k < e.length; k++) e[k] = (e[k]! + mirrored[k]!) / 2;
  }
  return headLogits(e, weights[HEAD.weights]!.data, weights[HEAD.bias]!.data, scorer.dim, scorer.classes);
}

/** Raw pooled embeddings of float32 cut maps ([C, H, W] each), in batches. */
export async function embeddingsOfMaps(scorer: Scorer, maps: readonly Float32Array[], shape: readonly number[], weights: Record<string, Feed>): Promise<Float32Array> {
  const { batch, dim } = scorer;
  const [C, H, W] = shape as [number, number, number];
  const hw = H * W;
  const out = new Float32Array(maps.length * dim);
  const x = new Float32Array(batch * C * hw);
  for (let start = 0; start < maps.length; start += batch) {
    const part = maps.slice(start, start + batch);
    x.fill(0);
    part.forEach((map, k) => {
      for (let c = 0; c < C; c++) x.set(map.subarray(c * hw, (c + 1) * hw), (c * batch + k) * hw);
    });
    const result = await scorer.session.run({ ...weights, [scorer.cutName]: { data: x, dims: [1, C * batch, H, W] } }, [HEAD.embedding]);
    out.set(result[HEAD.embedding]!.subarray(0, part.length * dim), start * dim);
  }
  return out;
}
