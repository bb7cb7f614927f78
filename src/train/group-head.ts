// Attribute-group heads as one head: each group's softmax head (today's logistic or MLP head, trained on
// that group's values) stacked into a single head whose outputs are the groups' values one after
// another. Logistic heads stack their rows; MLP heads stack their hidden units and put their output
// layers on a block diagonal, so every group keeps exactly its own function. The stored bytes, the codec
// and the ONNX export stay those of a single head; a softmax per segment reads it (groupedProbabilities).
import { SkulensError } from '../errors.js';
import type { Head, LogisticHead, MlpHead } from './types.js';

/**
 * One head computing every group's logits. All heads must share kind and input size.
 *
 * @example
 * const head = stackGroupHeads([brandHead, typeHead]);
 * groupedProbabilities(head, x, [brandHead.numClasses, typeHead.numClasses]);
 */
export function stackGroupHeads(heads: readonly Head[]): Head {
  if (heads.length === 0) throw new SkulensError('ERR_TRAINING_INVALID', { detail: 'no group heads to stack' });
  const { kind, dim } = heads[0]!;
  if (heads.some((h) => h.kind !== kind || h.dim !== dim)) throw new SkulensError('ERR_TRAINING_INVALID', { detail: 'group heads must share one kind and input size' });
  const K = heads.reduce((sum, h) => sum + h.numClasses, 0);
  if (kind === 'logistic') {
    const weights = new Float32Array(K * dim);
    const bias = new Float32Array(K);
    let row = 0;
    for (const h of heads as LogisticHead[]) {
      weights.set(h.weights, row * dim);
      bias.set(h.bias, row);
      row += h.numClasses;
    }
    return { kind: 'logistic', dim, numClasses: K, weights, bias };
  }
  const mlps = heads as MlpHead[];
  const H = mlps.reduce((sum, h) => sum + h.hidden, 0);
  const w1 = new Float32Array(H * dim);
  const b1 = new Float32Array(H);
  const w2 = new Float32Array(K * H);
  const b2 = new Float32Array(K);
  let hiddenAt = 0;
  let classAt = 0;
  for (const h of mlps) {
    w1.set(h.w1, hiddenAt * dim);
    b1.set(h.b1, hiddenAt);
    for (let c = 0; c < h.numClasses; c++) w2.set(h.w2.subarray(c * h.hidden, (c + 1) * h.hidden), (classAt + c) * H + hiddenAt);
    b2.set(h.b2, classAt);
    hiddenAt += h.hidden;
    classAt += h.numClasses;
  }
  return { kind: 'mlp', dim, hidden: H, numClasses: K, w1, b1, w2, b2 };
}
