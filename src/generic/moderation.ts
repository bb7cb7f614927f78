// nsfwjs's five classes mapped to Rekognition's moderation taxonomy (version 6 top-level names).
// Frozen data: which nsfwjs classes add up to which Rekognition label. Drawing and Neutral are safe
// classes and map to no label, exactly as Rekognition answers nothing for a safe image.
import { NSFW_CLASSES } from '../backbone/index.js';

/** One Rekognition moderation label and the nsfwjs classes whose probabilities sum to its confidence. */
export interface ModerationRow {
  readonly name: string;
  /** "" for a top-level category, as in Rekognition's response. */
  readonly parentName: string;
  readonly from: readonly (typeof NSFW_CLASSES)[number][];
}

/**
 * The map (documented in docs/generic-labels.md):
 * - Porn + Hentai -> "Explicit Nudity" (top level);
 * - Hentai -> "Illustrated Explicit Nudity" (under "Explicit Nudity");
 * - Sexy -> "Suggestive" (top level);
 * - Drawing, Neutral -> nothing.
 */
export const MODERATION_MAP: readonly ModerationRow[] = Object.freeze([
  Object.freeze({ name: 'Explicit Nudity', parentName: '', from: Object.freeze(['Porn', 'Hentai'] as const) }),
  Object.freeze({ name: 'Illustrated Explicit Nudity', parentName: 'Explicit Nudity', from: Object.freeze(['Hentai'] as const) }),
  Object.freeze({ name: 'Suggestive', parentName: '', from: Object.freeze(['Sexy'] as const) }),
]);

/** One answered moderation label, as in Rekognition's `ModerationLabels`. */
export interface ModerationLabel {
  Name: string;
  Confidence: number;
  ParentName: string;
}

/** Applies {@link MODERATION_MAP} to nsfwjs probabilities (in {@link NSFW_CLASSES} order); keeps labels at or above `minConfidence` (0-100). */
export function moderationLabels(probabilities: ArrayLike<number>, minConfidence: number): ModerationLabel[] {
  const p = (name: (typeof NSFW_CLASSES)[number]): number => probabilities[NSFW_CLASSES.indexOf(name)] ?? 0;
  return MODERATION_MAP.map((row) => ({ Name: row.name, Confidence: Math.min(100, 100 * row.from.reduce((sum, name) => sum + p(name), 0)), ParentName: row.parentName }))
    .filter((label) => label.Confidence >= minConfidence)
    .sort((a, b) => b.Confidence - a.Confidence || a.Name.localeCompare(b.Name));
}
