// What the trained logits mean, as the loss inputs of each batch and the score of held-out photos:
// - softmax: one label per photo; cross-entropy with class weights and label smoothing as PyTorch's
//   F.cross_entropy(weight, label_smoothing) computes it (mean over the batch's total weight);
// - groups: a softmax per group over consecutive segments of the logits, the sum of the groups' losses; a
//   photo without a value in a group (-1) adds nothing to it;
// - multi: a sigmoid per label, binary cross-entropy summed over labels and averaged over photos, targets
//   smoothed toward 1/2, positives weighted per label (negatives over positives, its root, or 1).
import type { LossSpec } from '../autodiff/index.js';

export type HeadLayout = { kind: 'softmax' } | { kind: 'groups'; sizes: readonly number[] } | { kind: 'multi' };

export interface HeadLoss {
  loss: LossSpec;
  /** Fills the loss inputs (B x K each, zeroed first) for the photos `index`; rows past index.length stay zero. */
  fill(index: readonly number[], inputs: Record<string, Float32Array>): void;
  /** (accuracy, loss) of held-out photos from their logits (rows of K). */
  score(logits: Float32Array, index: readonly number[]): { accuracy: number; loss: number };
}

/** Per-class weights from the training photos' classes: none, balanced (N / (K * count)) or its square root. */
export function classWeights(labels: readonly number[], classes: number, mode: 'balanced' | 'sqrt' | 'none'): Float64Array {
  const out = new Float64Array(classes).fill(1);
  if (mode === 'none') return out;
  const counts = new Float64Array(classes);
  for (const y of labels) counts[y]! += 1;
  for (let k = 0; k < classes; k++) {
    const w = labels.length / (classes * Math.max(1, counts[k]!));
    out[k] = mode === 'sqrt' ? Math.sqrt(w) : w;
  }
  return out;
}

function logSoftmaxRow(z: Float32Array, offset: number, width: number): Float64Array {
  let max = -Infinity;
  for (let k = 0; k < width; k++) max = Math.max(max, z[offset + k]!);
  let sum = 0;
  for (let k = 0; k < width; k++) sum += Math.exp(z[offset + k]! - max);
  const lse = max + Math.log(sum);
  return Float64Array.from({ length: width }, (_, k) => z[offset + k]! - lse);
}

/** Softmax cross-entropy segments: one for single-label, one per group. `targets[i][g]` is photo i's class in segment g (-1: none). */
function segmentedLoss(targets: readonly (readonly number[])[], sizes: readonly number[], trainIdx: readonly number[], smoothing: number, balance: 'balanced' | 'sqrt' | 'none'): HeadLoss {
  const K = sizes.reduce((a, b) => a + b, 0);
  const offsets = sizes.map((_, g) => sizes.slice(0, g).reduce((a, b) => a + b, 0));
  const weights = sizes.map((size, g) => classWeights(trainIdx.map((i) => targets[i]![g]!).filter((t) => t >= 0), size, balance));
  return {
    loss: { kind: 'softmax', segments: sizes },
    fill(index, inputs) {
      const a = inputs.targets!;
      a.fill(0);
      sizes.forEach((size, g) => {
        const w = weights[g]!;
        let total = 0;
        for (const i of index) if (targets[i]![g]! >= 0) total += w[targets[i]![g]!]!;
        if (total === 0) return;
        index.forEach((i, row) => {
          const t = targets[i]![g]!;
          if (t < 0) return;
          const base = row * K + offsets[g]!;
          for (let k = 0; k < size; k++) a[base + k] = (smoothing / size) * w[k]! / total;
          a[base + t] = a[base + t]! + ((1 - smoothing) * w[t]!) / total;
        });
      });
    },
    score(logits, index) {
      if (index.length === 0) return { accuracy: 0, loss: 0 };
      let right = 0;
      let loss = 0;
      const valued = sizes.map(() => 0);
      const lossBy = sizes.map(() => 0);
      index.forEach((i, row) => {
        let all = true;
        sizes.forEach((size, g) => {
          const t = targets[i]![g]!;
          if (t < 0) return;
          const logp = logSoftmaxRow(logits, row * K + offsets[g]!, size);
          let best = 0;
          for (let k = 1; k < size; k++) if (logp[k]! > logp[best]!) best = k;
          if (best !== t) all = false;
          lossBy[g] = lossBy[g]! - logp[t]!;
          valued[g] = valued[g]! + 1;
        });
        if (all) right += 1;
      });
      sizes.forEach((_, g) => (loss += valued[g]! ? lossBy[g]! / valued[g]! : 0));
      return { accuracy: right / index.length, loss };
    },
  };
}

function multiLoss(targets: readonly (readonly number[])[], classes: number, trainIdx: readonly number[], smoothing: number, balance: 'balanced' | 'sqrt' | 'none'): HeadLoss {
  const has = targets.map((t) => new Set(t));
  const positives = new Float64Array(classes);
  for (const i of trainIdx) for (const k of has[i]!) positives[k]! += 1;
  const posWeight = Float64Array.from(positives, (pos) => {
    if (balance === 'none') return 1;
    const ratio = Math.max(1, trainIdx.length - pos) / Math.max(1, pos);
    return balance === 'sqrt' ? Math.sqrt(ratio) : ratio;
  });
  return {
    loss: { kind: 'sigmoid' },
    fill(index, inputs) {
      const p = inputs.positives!;
      const q = inputs.negatives!;
      p.fill(0);
      q.fill(0);
      const n = index.length;
      index.forEach((i, row) => {
        for (let k = 0; k < classes; k++) {
          const t = (has[i]!.has(k) ? 1 : 0) * (1 - smoothing) + smoothing / 2;
          p[row * classes + k] = (posWeight[k]! * t) / n;
          q[row * classes + k] = (1 - t) / n;
        }
      });
    },
    score(logits, index) {
      if (index.length === 0) return { accuracy: 0, loss: 0 };
      let exact = 0;
      let loss = 0;
      index.forEach((i, row) => {
        let all = true;
        for (let k = 0; k < classes; k++) {
          const z = logits[row * classes + k]!;
          const t = has[i]!.has(k);
          if (z > 0 !== t) all = false;
          // -log s(z) = softplus(-z); -log(1 - s(z)) = softplus(z).
          const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
          loss += t ? softplus(-z) : softplus(z);
        }
        if (all) exact += 1;
      });
      return { accuracy: exact / index.length, loss: loss / index.length };
    },
  };
}

/**
 * The loss of a layout for one member. `labels[i]` is photo i's class (softmax); `targets[i]` its value per
 * group (groups) or its label indexes (multi). Class weights come from the member's training photos.
 */
export function headLoss(layout: HeadLayout, classes: number, labels: readonly number[], targets: readonly (readonly number[])[] | undefined, trainIdx: readonly number[], smoothing: number, balance: 'balanced' | 'sqrt' | 'none'): HeadLoss {
  if (layout.kind === 'multi') return multiLoss(targets!, classes, trainIdx, smoothing, balance);
  if (layout.kind === 'groups') return segmentedLoss(targets!, layout.sizes, trainIdx, smoothing, balance);
  return segmentedLoss(labels.map((y) => [y]), [classes], trainIdx, smoothing, balance);
}
