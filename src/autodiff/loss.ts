// The losses the training step ends in, with their gradients written directly (no rule walk):
// - softmax: a softmax cross-entropy per segment of the logits (one segment for single-label, one per
//   attribute group). Input `targets` [B, K] holds each photo's target distribution already multiplied by
//   its weight and divided by the batch's total weight, so class weights, label smoothing and padded rows
//   (all zero) cost nothing here: loss = -sum(targets * log p), dz = p * rowsum(targets) - targets.
// - sigmoid: binary cross-entropy per label. Inputs `positives` and `negatives` [B, K] hold t * w_pos / B and
//   (1 - t) / B (smoothed t): loss = -sum(P log s(z) + Q log(1 - s(z))), dz = (P + Q) s(z) - P.
import type { GradContext } from './context.js';

export type LossSpec = { kind: 'softmax'; segments: readonly number[] } | { kind: 'sigmoid' };

/** The loss inputs a step takes, by kind. */
export function lossInputs(loss: LossSpec): string[] {
  return loss.kind === 'softmax' ? ['targets'] : ['positives', 'negatives'];
}

/** Emits the loss (a scalar) and the logits' gradient. */
export function emitLoss(ctx: GradContext, loss: LossSpec, logits: string): { loss: string; grad: string } {
  if (loss.kind === 'sigmoid') {
    const s = ctx.node('Sigmoid', [logits]);
    // log s(z) = -softplus(-z), log(1 - s(z)) = -softplus(z).
    const logPos = ctx.node('Neg', [ctx.node('Softplus', [ctx.node('Neg', [logits])])]);
    const logNeg = ctx.node('Neg', [ctx.node('Softplus', [logits])]);
    const terms = ctx.node('Add', [ctx.node('Mul', ['positives', logPos]), ctx.node('Mul', ['negatives', logNeg])]);
    const value = ctx.node('Neg', [ctx.reduceSum(terms, [0, 1], false)]);
    const grad = ctx.node('Sub', [ctx.node('Mul', [ctx.node('Add', ['positives', 'negatives']), s]), 'positives']);
    return { loss: value, grad };
  }
  const parts: { loss: string; grad: string }[] = [];
  let offset = 0;
  for (const width of loss.segments) {
    const cut = (x: string): string => (loss.segments.length === 1 ? x : ctx.node('Slice', [x, ctx.ints([offset]), ctx.ints([offset + width]), ctx.ints([1])]));
    const z = cut(logits);
    const t = cut('targets');
    const logp = ctx.node('Sub', [z, ctx.reduce('ReduceLogSumExp', z, [1], true)]);
    const grad = ctx.node('Sub', [ctx.node('Mul', [ctx.node('Exp', [logp]), ctx.reduceSum(t, [1], true)]), t]);
    parts.push({ loss: ctx.node('Neg', [ctx.reduceSum(ctx.node('Mul', [t, logp]), [0, 1], false)]), grad });
    offset += width;
  }
  if (parts.length === 1) return parts[0]!;
  return { loss: ctx.node('Sum', parts.map((p) => p.loss)), grad: ctx.node('Concat', parts.map((p) => p.grad), { axis: 1 }) };
}
