// Small synthetic data sets for the head training tests, made from a seed.
import { mulberry32, normalSample } from '../../src/train/index.js';

/** Unit-normalised points around `numClasses` random centres in `dim` dimensions; labels cycle 0, 1, 2, ... */
export function gaussianClusters(count: number, dim: number, numClasses: number, spread: number, seed: number): { X: Float32Array[]; y: Int32Array } {
  const random = mulberry32(seed);
  const centres = Array.from({ length: numClasses }, () => Float64Array.from({ length: dim }, () => normalSample(random)));
  const X: Float32Array[] = [];
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % numClasses;
    const point = centres[label]!.map((value) => value + spread * normalSample(random));
    const norm = Math.hypot(...point);
    X.push(Float32Array.from(point, (value) => value / norm));
    y[i] = label;
  }
  return { X, y };
}

/** Index of the largest entry. */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k]! > values[best]!) best = k;
  return best;
}

/** 1-D embeddings from plain numbers. */
export function column(values: number[]): Float32Array[] {
  return values.map((value) => Float32Array.of(value));
}
