// Few-shot labels: a new class from a handful of embeddings by nearest class mean, folded into an
// existing head without retraining it. Embeddings are L2-normalised, so the cosine to a class mean
// is linear in x and becomes one more logistic row (or, for an MLP, one always-active hidden unit),
// and the head keeps its kind: the predictor and the ONNX export need no new code.
import { SkulensError } from '../errors.js';
import { headProbabilities } from './probabilities.js';
import type { Head } from './types.js';

/** The L2-normalised mean of some embeddings (the class's prototype). */
export function classMean(rows: readonly Float32Array[]): Float32Array {
  if (rows.length === 0) throw new SkulensError('ERR_TRAINING_INVALID', { detail: 'a new label needs at least one image' });
  const dim = rows[0]!.length;
  const mean = new Float64Array(dim);
  for (const row of rows) for (let d = 0; d < dim; d++) mean[d]! += row[d]!;
  const norm = Math.hypot(...mean) || 1;
  return Float32Array.from(mean, (v) => v / norm);
}

/** A prototype class's logit is scale * (prototype · x) + bias. */
export interface PrototypeCalibration {
  scale: number;
  bias: number;
}

/**
 * Appends one class per prototype: logit = scale * (prototype · x) + bias, where x is the
 * (unit-length) embedding. A logistic head gets a row; an MLP gets a hidden unit relu(prototype · x + 1)
 * (never below 0 for unit vectors, so it stays linear) wired to the new class only.
 */
export function appendPrototypes(head: Head, prototypes: readonly Float32Array[], { scale, bias }: PrototypeCalibration): Head {
  const M = prototypes.length;
  const K = head.numClasses;
  const dim = head.dim;
  if (prototypes.some((p) => p.length !== dim)) throw new SkulensError('ERR_TRAINING_INVALID', { detail: `prototypes must have the head's dimension ${dim}` });
  if (head.kind === 'logistic') {
    const weights = new Float32Array((K + M) * dim);
    weights.set(head.weights);
    prototypes.forEach((p, j) => weights.set(p.map((v) => v * scale), (K + j) * dim));
    const out = new Float32Array(K + M);
    out.set(head.bias);
    out.fill(bias, K);
    return { kind: 'logistic', dim, numClasses: K + M, weights, bias: out };
  }
  const H = head.hidden;
  const w1 = new Float32Array((H + M) * dim);
  w1.set(head.w1);
  prototypes.forEach((p, j) => w1.set(p, (H + j) * dim));
  const b1 = new Float32Array(H + M);
  b1.set(head.b1);
  b1.fill(1, H);
  // New w2 is (K + M) x (H + M): old rows keep their weights (0 on new units); new row j reads unit H + j.
  const w2 = new Float32Array((K + M) * (H + M));
  for (let c = 0; c < K; c++) w2.set(head.w2.subarray(c * H, (c + 1) * H), c * (H + M));
  for (let j = 0; j < M; j++) w2[(K + j) * (H + M) + H + j] = scale;
  const b2 = new Float32Array(K + M);
  b2.set(head.b2);
  // relu(p·x + 1) * scale + b2 = scale * p·x + (scale + b2): shift so that the logit is scale * p·x + bias.
  b2.fill(bias - scale, K);
  return { kind: 'mlp', dim, hidden: H + M, numClasses: K + M, w1, b1, w2, b2 };
}

const SCALES = Object.freeze([5, 10, 20, 40, 80, 160]);
const COSINES = Object.freeze([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);

/**
 * Picks scale and bias (bias = -scale * cosine cut) by maximum likelihood of the extended head on
 * known images (which must stay with their own labels) and the new shots (which must go to their
 * prototype), every class weighted the same (so a thousand known images cannot silence five shots,
 * nor five shots outweigh ten classes). With 2+ shots each shot is scored against the mean of the others (leave one out), so a
 * single memorable photo cannot make the new class look surer than it is.
 */
export function calibratePrototypes(head: Head, known: readonly { x: Float32Array; label: number }[], shots: readonly Float32Array[][]): PrototypeCalibration {
  const base = known.map(({ x, label }) => ({ x, label, probs: headProbabilities(head, x) }));
  const prototypes = shots.map((rows) => classMean(rows));
  // A lone shot is its own prototype (cosine 1), which says nothing about its class's spread: use the
  // typical cosine between two known images of one class instead (a one-photo prototype is one image).
  const typical = typicalCosine(known);
  const held = shots.flatMap((rows, j) => rows.map((x, i) => ({ x, j, cos: rows.length > 1 ? dot(classMean(rows.filter((_, k) => k !== i)), x) : typical })));
  const classes = new Set(known.map((k) => k.label)).size || 1;
  let best: PrototypeCalibration & { loss: number } = { scale: SCALES[2]!, bias: -SCALES[2]! * 0.5, loss: Infinity };
  for (const scale of SCALES) {
    for (const cut of COSINES) {
      const bias = -scale * cut;
      let knownLoss = 0;
      let shotLoss = 0;
      // Known image: P(label) = p_label * Zb / (Zb + sum_j e^{z_j}), with Zb the base head's softmax normaliser.
      for (const { x, label, probs } of base) {
        const logBase = logNormaliser(head, x);
        let extra = 0;
        for (const p of prototypes) extra += Math.exp(scale * dot(p, x) + bias - logBase);
        knownLoss += -Math.log(Math.max(1e-12, probs[label]!)) + Math.log1p(extra);
      }
      for (const { x, j, cos } of held) {
        const logBase = logNormaliser(head, x);
        const logits = prototypes.map((p, k) => scale * (k === j ? cos : dot(p, x)) + bias - logBase);
        const max = Math.max(0, ...logits);
        const total = Math.exp(-max) + logits.reduce((s, z) => s + Math.exp(z - max), 0);
        shotLoss += -(logits[j]! - max - Math.log(total));
      }
      // Every class weighs the same: the known images carry K classes' worth, each new label one.
      const loss = (classes * knownLoss) / Math.max(1, base.length) + (shots.length * shotLoss) / Math.max(1, held.length);
      if (loss < best.loss) best = { scale, bias, loss };
    }
  }
  return { scale: best.scale, bias: best.bias };
}

/** Median cosine between consecutive known images of the same class. */
function typicalCosine(known: readonly { x: Float32Array; label: number }[]): number {
  const last = new Map<number, Float32Array>();
  const cosines: number[] = [];
  for (const { x, label } of known) {
    const previous = last.get(label);
    if (previous) cosines.push(dot(previous, x));
    last.set(label, x);
  }
  cosines.sort((a, b) => a - b);
  return cosines.length ? cosines[Math.floor(cosines.length / 2)]! : 0.5;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let d = 0; d < a.length; d++) s += a[d]! * b[d]!;
  return s;
}

/** log of the sum of exp(logits) of the head, i.e. log-softmax normaliser, from its own probabilities' scale. */
function logNormaliser(head: Head, x: Float32Array): number {
  // logit_c - log Z = log p_c; recover log Z from one class's logit.
  const p = headProbabilities(head, x);
  let c = 0;
  for (let k = 1; k < p.length; k++) if (p[k]! > p[c]!) c = k;
  return logitOf(head, x, c) - Math.log(p[c]!);
}

function logitOf(head: Head, x: Float32Array, c: number): number {
  if (head.kind === 'logistic') {
    let s = head.bias[c]!;
    for (let d = 0; d < head.dim; d++) s += head.weights[c * head.dim + d]! * x[d]!;
    return s;
  }
  let s = head.b2[c]!;
  for (let j = 0; j < head.hidden; j++) {
    let h = head.b1[j]!;
    for (let d = 0; d < head.dim; d++) h += head.w1[j * head.dim + d]! * x[d]!;
    if (h > 0) s += head.w2[c * head.hidden + j]! * h;
  }
  return s;
}
