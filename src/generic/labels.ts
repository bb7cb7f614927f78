// Turns raw detector rows and classifier probabilities into Rekognition's DetectLabels answer: per-class
// non-maximum suppression, relative boxes, parents added as labels of their own, merged by name.
import { COCO_CLASSES } from './coco.js';
import { imagenetLabel } from './imagenet.js';

/** Rekognition's BoundingBox: fractions of the image width and height. */
export interface BoundingBox {
  Width: number;
  Height: number;
  Left: number;
  Top: number;
}

export interface Instance {
  BoundingBox: BoundingBox;
  Confidence: number;
}

/** One label of DetectLabels. */
export interface GenericLabel {
  Name: string;
  Confidence: number;
  Parents: { Name: string }[];
  Instances: Instance[];
}

/** A label candidate before merging: a name, 0-100 confidence, its parents (nearest first), its boxes. */
export interface Candidate {
  name: string;
  confidence: number;
  parents: readonly string[];
  instances: Instance[];
}

/** Overlap above which a weaker box of the same class is dropped (CenterNet rarely needs it; human uses it too). */
const NMS_IOU = 0.5;
/**
 * A box over at least this share of the image is the whole photo: on a product shot COCO's detector then
 * names the backdrop ("Bed" under a pair of trousers), so such a box must be at least BIG_BOX_CONFIDENCE sure.
 */
const BIG_BOX_AREA = 0.5;
const BIG_BOX_CONFIDENCE = 80;

const clamp01 = (value: number): number => Math.min(1, Math.max(0, value));

function iou(a: BoundingBox, b: BoundingBox): number {
  const w = Math.min(a.Left + a.Width, b.Left + b.Width) - Math.max(a.Left, b.Left);
  const h = Math.min(a.Top + a.Height, b.Top + b.Height) - Math.max(a.Top, b.Top);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.Width * a.Height + b.Width * b.Height - inter);
}

/**
 * Detector rows (x1, y1, x2, y2 in `inputSize` pixels, score 0-1, class id) to one candidate per COCO
 * class with its instances at or above `minConfidence`, after per-class NMS.
 */
export function detectionCandidates(rows: Float32Array, inputSize: number, minConfidence: number): Candidate[] {
  const byClass = new Map<number, Instance[]>();
  for (let r = 0; r + 6 <= rows.length; r += 6) {
    const score = rows[r + 4]!;
    const cls = rows[r + 5]!;
    const confidence = score * 100;
    if (!(confidence >= minConfidence) || !Number.isInteger(cls) || !COCO_CLASSES[cls]) continue;
    const left = clamp01(rows[r]! / inputSize);
    const top = clamp01(rows[r + 1]! / inputSize);
    const box = { Width: clamp01(rows[r + 2]! / inputSize) - left, Height: clamp01(rows[r + 3]! / inputSize) - top, Left: left, Top: top };
    if (box.Width <= 0 || box.Height <= 0) continue;
    if (box.Width * box.Height >= BIG_BOX_AREA && confidence < Math.max(minConfidence, BIG_BOX_CONFIDENCE)) continue;
    const kept = byClass.get(cls) ?? [];
    byClass.set(cls, kept);
    kept.push({ BoundingBox: box, Confidence: confidence });
  }
  const out: Candidate[] = [];
  for (const [cls, instances] of byClass) {
    instances.sort((a, b) => b.Confidence - a.Confidence);
    const kept: Instance[] = [];
    for (const instance of instances) if (kept.every((k) => iou(k.BoundingBox, instance.BoundingBox) <= NMS_IOU)) kept.push(instance);
    const { name, parents } = COCO_CLASSES[cls]!;
    out.push({ name, parents, confidence: kept[0]!.Confidence, instances: kept });
  }
  return out;
}

/**
 * ImageNet probabilities (1001 classes, 0 = background) to candidates: each class at or above
 * `minConfidence`, and each parent whose classes add up to it. A parent's confidence is the sum of the
 * probabilities of every class under it, so "Hat" is sure when the photo is split between cowboy hat,
 * sombrero and bonnet, none of them sure alone.
 */
export function imagenetCandidates(probabilities: ArrayLike<number>, labels: readonly string[], minConfidence: number): Candidate[] {
  const out: Candidate[] = [];
  const parents = new Map<string, { confidence: number; parents: readonly string[] }>();
  for (let k = 1; k < probabilities.length; k++) {
    const confidence = probabilities[k]! * 100;
    const label = imagenetLabel(k, labels[k] ?? `class ${k}`);
    if (confidence >= minConfidence) out.push({ name: label.name, parents: label.parents, confidence, instances: [] });
    label.parents.forEach((parent, i) => {
      const entry = parents.get(parent) ?? { confidence: 0, parents: label.parents.slice(i + 1) };
      entry.confidence += confidence;
      parents.set(parent, entry);
    });
  }
  for (const [name, entry] of parents) {
    if (entry.confidence >= minConfidence) out.push({ name, parents: entry.parents, confidence: Math.min(100, entry.confidence), instances: [] });
  }
  return out;
}

/** Softmax of raw logits (float64 inside). */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i]! - max);
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/**
 * Merges candidates into Rekognition's Labels: every parent becomes a label too (confidence = its best
 * child, Parents = the rest of its chain), equal names merge (best confidence, all instances, all parents),
 * then most confident first (ties: more specific first, then by name), capped at `maxLabels`.
 */
export function mergeLabels(candidates: readonly Candidate[], maxLabels: number): GenericLabel[] {
  const merged = new Map<string, { confidence: number; parents: Set<string>; instances: Instance[] }>();
  const add = (name: string, confidence: number, parents: readonly string[], instances: readonly Instance[]): void => {
    const entry = merged.get(name) ?? { confidence: 0, parents: new Set<string>(), instances: [] };
    merged.set(name, entry);
    entry.confidence = Math.max(entry.confidence, confidence);
    for (const parent of parents) if (parent !== name) entry.parents.add(parent);
    entry.instances.push(...instances);
  };
  for (const candidate of candidates) {
    add(candidate.name, candidate.confidence, candidate.parents, candidate.instances);
    candidate.parents.forEach((parent, k) => add(parent, candidate.confidence, candidate.parents.slice(k + 1), []));
  }
  return [...merged]
    .map(([name, entry]) => ({
      Name: name,
      Confidence: entry.confidence,
      Parents: [...entry.parents].map((parent) => ({ Name: parent })),
      Instances: entry.instances.sort((a, b) => b.Confidence - a.Confidence),
    }))
    // Ties (a parent has its best child's confidence) put the more specific label, with more parents, first.
    .sort((a, b) => b.Confidence - a.Confidence || b.Parents.length - a.Parents.length || (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0))
    .slice(0, maxLabels);
}
