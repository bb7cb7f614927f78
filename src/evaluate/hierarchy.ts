// A label hierarchy at prediction and evaluation time. A parent's confidence is the sum of its children's
// probabilities (softmax over the trained labels), so any single-label version gets one, whatever trained
// it. The answer is the deepest label whose confidence clears its threshold: an uncertain brand falls back
// to "Milk" instead of a wrong brand. A parent's own threshold is the lowest of its labels' thresholds
// (its confidence reaches it whenever any one of them could be answered), unless the caller fits them.
import { ancestorsOf, type Taxonomy } from '../labels/index.js';
import { argmax, comparable, type ScoredImage } from './scored.js';
import { targetPrecisionThresholds } from './thresholds.js';

/** One level of the tree over the trained labels: depth 0 is the labels themselves. */
export interface HierarchyLevel {
  /** The taxonomy's name of this level (e.g. coarse_label). */
  name: string;
  depth: number;
  /** Node names at this level, in first-seen label order. */
  nodes: string[];
  /** Per trained label, the index of its node at this level, or -1 when its chain is shorter. */
  nodeOf: Int32Array;
}

/** The levels of `taxonomy` over the trained `labels` (levels no label reaches are left out). */
export function hierarchyLevels(labels: readonly string[], taxonomy: Taxonomy): HierarchyLevel[] {
  const levels: HierarchyLevel[] = [{ name: taxonomy.levels[0]!, depth: 0, nodes: [...labels], nodeOf: Int32Array.from(labels, (_, k) => k) }];
  for (let depth = 1; depth < taxonomy.levels.length; depth++) {
    const nodes: string[] = [];
    const nodeOf = Int32Array.from(labels, (label) => {
      const node = ancestorsOf(taxonomy, label)[depth - 1];
      if (node === undefined) return -1;
      const at = nodes.indexOf(node);
      return at >= 0 ? at : nodes.push(node) - 1;
    });
    if (nodes.length > 0) levels.push({ name: taxonomy.levels[depth]!, depth, nodes, nodeOf });
  }
  return levels;
}

/** Confidence of every node of `level`: the sum of its labels' probabilities. */
export function nodeConfidences(level: HierarchyLevel, probs: Float32Array): Float32Array {
  const sums = new Float64Array(level.nodes.length);
  level.nodeOf.forEach((node, k) => {
    if (node >= 0) sums[node] = sums[node]! + probs[k]!;
  });
  // Rounded to float32 like every probability, so `comparable` thresholds behave the same at every level.
  return Float32Array.from(sums, (s) => Math.min(1, s));
}

/** Default thresholds of a level's nodes: the lowest threshold among each node's labels. */
export function parentThresholds(level: HierarchyLevel, thresholds: readonly number[]): number[] {
  const out = new Array<number>(level.nodes.length).fill(1);
  level.nodeOf.forEach((node, k) => {
    if (node >= 0) out[node] = Math.min(out[node]!, thresholds[k]!);
  });
  return out;
}

/** Where an image's answer stopped: the depth and node, or null for "unknown". */
export interface HierarchyAnswer {
  depth: number;
  /** Indexes of the passing nodes at that depth, most confident first. */
  nodes: number[];
  confidences: Float32Array;
}

/**
 * The deepest level at which some node's confidence reaches its threshold (`levelThresholds[d][node]`,
 * or `floor` for every node when given), or null when none does.
 */
export function hierarchyAnswer(levels: readonly HierarchyLevel[], probs: Float32Array, levelThresholds: readonly (readonly number[])[], floor?: number): HierarchyAnswer | null {
  for (const level of levels) {
    const confidences = level.depth === 0 ? probs : nodeConfidences(level, probs);
    const passing: number[] = [];
    for (let n = 0; n < level.nodes.length; n++) {
      if (confidences[n]! >= (floor ?? comparable(levelThresholds[level.depth]![n]!))) passing.push(n);
    }
    if (passing.length > 0) {
      passing.sort((a, b) => confidences[b]! - confidences[a]! || a - b);
      return { depth: level.depth, nodes: passing, confidences };
    }
  }
  return null;
}

/** Accuracy of the argmax node at one level. */
export interface LevelAccuracy {
  level: string;
  depth: number;
  nodes: number;
  /** Test images whose label has a node at this level. */
  images: number;
  accuracy: number;
}

/** How answers spread over the levels at one set of thresholds. */
export interface FallbackPoint {
  /** The precision the thresholds were fitted for; null: the version's own thresholds. */
  targetPrecision: number | null;
  /** Fraction of images answered with a label (depth 0), and how often that label was right. */
  labelCoverage: number;
  labelPrecision: number;
  /** Fraction of images answered with a parent (any depth above 0), and how often that parent was the right one. */
  parentCoverage: number;
  parentPrecision: number;
  /** Fraction answered "unknown". */
  unknown: number;
  /** Per level: answers stopping there and their precision. */
  byLevel: { level: string; answered: number; precision: number }[];
}

export interface HierarchyReport {
  levels: LevelAccuracy[];
  fallback: {
    /** At the version's own thresholds (labels) and the lowest-child rule (parents): what serving does. */
    own: FallbackPoint;
    /** At thresholds fitted per node for each target precision, on `calibratedOn`. */
    targets: FallbackPoint[];
    /** 'out-of-fold' (training images, held out by grouped CV) or 'test' (a description of the trade-off on the test images themselves, not a deployable setting). */
    calibratedOn: 'out-of-fold' | 'test';
  };
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

function fallbackAt(levels: readonly HierarchyLevel[], scored: readonly ScoredImage[], levelThresholds: number[][], targetPrecision: number | null): FallbackPoint {
  const answered = new Array<number>(levels.length).fill(0);
  const right = new Array<number>(levels.length).fill(0);
  let unknown = 0;
  for (const { truth, probs } of scored) {
    const answer = hierarchyAnswer(levels, probs, levelThresholds);
    if (!answer) {
      unknown++;
      continue;
    }
    const index = levels.findIndex((l) => l.depth === answer.depth);
    answered[index]!++;
    if (levels[index]!.nodeOf[truth] === answer.nodes[0]) right[index]!++;
  }
  const n = scored.length;
  const parentAnswered = answered.slice(1).reduce((a, b) => a + b, 0);
  const parentRight = right.slice(1).reduce((a, b) => a + b, 0);
  return {
    targetPrecision,
    labelCoverage: ratio(answered[0]!, n),
    labelPrecision: ratio(right[0]!, answered[0]!),
    parentCoverage: ratio(parentAnswered, n),
    parentPrecision: ratio(parentRight, parentAnswered),
    unknown: ratio(unknown, n),
    byLevel: levels.map((level, i) => ({ level: level.name, answered: ratio(answered[i]!, n), precision: ratio(right[i]!, answered[i]!) })),
  };
}

/** Per-node thresholds at each level for `target` precision, fitted on `calibration`. */
function targetThresholds(levels: readonly HierarchyLevel[], calibration: readonly ScoredImage[], target: number): number[][] {
  const out: number[][] = [];
  for (const level of levels) {
    const scored = calibration
      .filter((s) => level.nodeOf[s.truth]! >= 0)
      .map((s) => ({ image: s.image, truth: level.nodeOf[s.truth]!, probs: level.depth === 0 ? s.probs : nodeConfidences(level, s.probs) }));
    out[level.depth] = targetPrecisionThresholds(level.nodes.length, scored, target);
  }
  return out;
}

/**
 * Accuracy at every level (argmax of summed probabilities against the truth's ancestor there) and the
 * fallback trade-off: at the version's thresholds, and at thresholds fitted for each target precision on
 * `calibration` (out-of-fold training predictions when the caller has them; otherwise the test images,
 * which then describes the trade-off rather than a setting one could deploy).
 */
export function evaluateHierarchy(
  labels: readonly string[],
  scored: readonly ScoredImage[],
  thresholds: readonly number[],
  taxonomy: Taxonomy,
  options: { targets?: readonly number[]; calibration?: readonly ScoredImage[] } = {},
): HierarchyReport {
  const levels = hierarchyLevels(labels, taxonomy);
  const accuracy = levels.map((level): LevelAccuracy => {
    let images = 0;
    let correct = 0;
    for (const { truth, probs } of scored) {
      const node = level.nodeOf[truth]!;
      if (node < 0) continue;
      images++;
      if (argmax(level.depth === 0 ? probs : nodeConfidences(level, probs)) === node) correct++;
    }
    return { level: level.name, depth: level.depth, nodes: level.nodes.length, images, accuracy: ratio(correct, images) };
  });
  const own = levels.map((level) => (level.depth === 0 ? [...thresholds] : parentThresholds(level, thresholds)));
  const calibration = options.calibration ?? scored;
  const targets = (options.targets ?? [0.95, 0.99]).map((t) => fallbackAt(levels, scored, targetThresholds(levels, calibration, t), t));
  return { levels: accuracy, fallback: { own: fallbackAt(levels, scored, own, null), targets, calibratedOn: options.calibration ? 'out-of-fold' : 'test' } };
}
