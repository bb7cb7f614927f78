// The reverse pass: from the gradient of one tensor (the logits), walk the nodes backwards and emit each
// node's input gradients by its rule; a tensor read by several nodes gets the sum of their gradients.
// Only tensors that depend on a trained weight get gradients, and only nodes between the weights and
// the seed are differentiated.
import type { GraphBuilder } from '../onnx/index.js';
import { GradContext } from './context.js';
import type { Graph, OpNode } from './graph.js';
import { GRADIENT_RULES } from './rules/index.js';
import { unsupported, type Shapes } from './shapes.js';

/** Tensors that depend on one of `weights` through `nodes`. */
export function dependents(nodes: readonly OpNode[], weights: Iterable<string>): Set<string> {
  const out = new Set(weights);
  for (const node of nodes) if (node.inputs.some((i) => out.has(i))) for (const o of node.outputs) out.add(o);
  return out;
}

/** Ops of `nodes` (that a gradient would flow through) without a gradient rule, each with one node's name. */
export function missingRules(nodes: readonly OpNode[], weights: Iterable<string>): { op: string; node: string }[] {
  const needs = dependents(nodes, weights);
  const seen = new Map<string, string>();
  for (const n of nodes) if (!GRADIENT_RULES[n.op] && n.inputs.some((i) => needs.has(i)) && !seen.has(n.op)) seen.set(n.op, n.name);
  return [...seen].map(([op, node]) => ({ op, node }));
}

/**
 * Emits into `b` the gradients of `weights` given the gradient `seed.grad` of tensor `seed.tensor`.
 *
 * @returns each weight's gradient tensor name (undefined where the seed does not depend on it).
 * @throws SkulensError ERR_AUTODIFF_OP_UNSUPPORTED naming an op on the way without a rule.
 */
export function backward(graph: Graph, nodes: readonly OpNode[], shapes: Shapes, seed: { tensor: string; grad: string }, weights: readonly string[], b: GraphBuilder): Map<string, string | undefined> {
  const needs = dependents(nodes, weights);
  const ctx = new GradContext(graph, b, shapes, needs);
  const parts = new Map<string, string[]>([[seed.tensor, [seed.grad]]]);
  const total = (name: string): string | undefined => {
    const list = parts.get(name);
    if (!list || list.length === 0) return undefined;
    if (list.length > 1) parts.set(name, [b.node('Sum', list, 'g_fanin')]);
    return parts.get(name)![0];
  };
  for (const node of [...nodes].reverse()) {
    if (!node.inputs.some((i) => needs.has(i))) continue;
    const dOut = node.outputs.map(total);
    if (dOut.every((d) => d === undefined)) continue;
    const rule = GRADIENT_RULES[node.op];
    if (!rule) throw unsupported(node, `no gradient rule (the engine differentiates ${Object.keys(GRADIENT_RULES).sort().join(', ')})`);
    const grads = rule(ctx, node, dOut);
    grads.forEach((grad, k) => {
      const input = node.inputs[k];
      if (!grad || !input || !needs.has(input)) return;
      parts.set(input, [...(parts.get(input) ?? []), grad]);
    });
  }
  return new Map(weights.map((w) => [w, total(w)]));
}
