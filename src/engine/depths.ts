// Layer-wise learning-rate decay: each trained weight's block, counted from the top of the network. A block
// starts at the convolution feeding a depthwise (grouped) convolution, as MobileNet-style blocks do;
// weights after the last block start (the top 1x1 convolution) are depth 0 like the last block's.
import type { Graph, OpNode } from '../autodiff/index.js';

/** Depth from the top (0 = the last block) of every float initializer `nodes` read. */
export function blockDepths(graph: Graph, nodes: readonly OpNode[]): Map<string, number> {
  const convs = nodes.flatMap((n, k) => (n.op === 'Conv' || n.op === 'Gemm' ? [k] : []));
  const grouped = convs.filter((k) => typeof nodes[k]!.attrs.group === 'number' && (nodes[k]!.attrs.group as number) > 1);
  const starts = [...new Set(grouped.map((k) => convs[Math.max(0, convs.indexOf(k) - 1)]!))].sort((a, b) => a - b);
  const marks = starts.length ? starts : convs;
  const depths = new Map<string, number>();
  nodes.forEach((node, k) => {
    for (const name of node.inputs) {
      if (!graph.floats.has(name) || depths.has(name)) continue;
      const block = marks.filter((s) => s <= k).length;
      depths.set(name, marks.length - block);
    }
  });
  return depths;
}
