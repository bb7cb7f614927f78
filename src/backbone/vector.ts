// Turns a runtime's output tensor into the embedding: optional spatial mean pooling, then L2 norm.

/**
 * Mean over the spatial axes of a rank-4 tensor in `layout` (NHWC or NCHW, batch 1), giving C values;
 * any other tensor is returned flat.
 */
export function meanPoolHw(data: Float32Array, dims: readonly number[], layout: 'nchw' | 'nhwc'): Float32Array {
  if (dims.length !== 4) return data;
  const [, a, b, c] = dims as [number, number, number, number];
  const channels = layout === 'nhwc' ? c : a;
  const spatial = layout === 'nhwc' ? a * b : b * c;
  const out = new Float64Array(channels);
  if (layout === 'nhwc') {
    for (let p = 0; p < spatial; p += 1) {
      const base = p * channels;
      for (let k = 0; k < channels; k += 1) out[k]! += data[base + k]!;
    }
  } else {
    for (let k = 0; k < channels; k += 1) {
      let sum = 0;
      const base = k * spatial;
      for (let p = 0; p < spatial; p += 1) sum += data[base + p]!;
      out[k] = sum;
    }
  }
  return Float32Array.from(out, (sum) => sum / spatial);
}

/** L2-normalises in place and returns the same array; an all-zero vector stays zero. */
export function l2Normalise(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const value of vector) sum += value * value;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < vector.length; i += 1) vector[i]! /= norm;
  return vector;
}

/** The unit-length mean of two unit embeddings (e.g. an image and its mirror view, for test-time augmentation). */
export function averageUnit(a: Float32Array, b: Float32Array): Float32Array {
  const out = Float32Array.from(a, (v, d) => v + b[d]!);
  let norm = 0;
  for (const v of out) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  return out.map((v) => v / norm);
}
