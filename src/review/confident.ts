// Confident learning (Northcutt et al., the idea behind cleanlab), from out-of-fold probabilities: each
// label's threshold is the mean out-of-fold probability of that label over the photos given it; a photo
// lands in the confident joint's cell (given i, suspected j) when the model's probability of j clears j's
// threshold (the largest such j when several do). Off-diagonal photos are the likely mislabelled ones,
// ranked by self-confidence (the probability of the given label), lowest first. No I/O.

/** One training photo with its given label (index) and out-of-fold probabilities (label order). */
export interface OutOfFoldPhoto {
  id: string;
  given: number;
  probs: ArrayLike<number>;
}

/** A photo the finder suspects, with what the model thinks instead. */
export interface Suspect {
  id: string;
  given: number;
  /** The label whose threshold the photo clears with the highest probability (not the given one). */
  suggested: number;
  /** The out-of-fold probability of the given label (the ranking key: lowest first). */
  selfConfidence: number;
  /** The out-of-fold probability of the suggested label. */
  suggestedConfidence: number;
}

export interface ConfidentJoint {
  /** Per-label thresholds: the mean probability of a label over the photos given it (NaN for a label no photo has). */
  thresholds: number[];
  /** counts[given][suspected]: photos per cell of the confident joint (a photo clearing no threshold is in no cell). */
  counts: number[][];
  /** The off-diagonal photos, ranked: lowest self-confidence first, then the larger margin of the suggested label, then id. */
  suspects: Suspect[];
}

/** Per-label thresholds t_j = mean of p_j over photos given j. */
export function perLabelThresholds(photos: readonly OutOfFoldPhoto[], numLabels: number): number[] {
  const sums = new Array<number>(numLabels).fill(0);
  const counts = new Array<number>(numLabels).fill(0);
  for (const photo of photos) {
    sums[photo.given]! += photo.probs[photo.given]!;
    counts[photo.given]! += 1;
  }
  return sums.map((sum, j) => (counts[j] === 0 ? Number.NaN : sum / counts[j]!));
}

/**
 * The confident joint and the ranked suspects.
 *
 * @example
 * const { suspects } = confidentJoint([{ id: 'a.jpg', given: 0, probs: [0.1, 0.9] }, ...], 2);
 */
export function confidentJoint(photos: readonly OutOfFoldPhoto[], numLabels: number): ConfidentJoint {
  const thresholds = perLabelThresholds(photos, numLabels);
  const counts = Array.from({ length: numLabels }, () => new Array<number>(numLabels).fill(0));
  const suspects: Suspect[] = [];
  for (const photo of photos) {
    let cell = -1;
    for (let j = 0; j < numLabels; j++) {
      const p = photo.probs[j]!;
      if (!(p >= thresholds[j]!)) continue; // NaN thresholds never pass
      if (cell < 0 || p > photo.probs[cell]!) cell = j;
    }
    if (cell < 0) continue;
    counts[photo.given]![cell]! += 1;
    if (cell !== photo.given) {
      suspects.push({ id: photo.id, given: photo.given, suggested: cell, selfConfidence: photo.probs[photo.given]!, suggestedConfidence: photo.probs[cell]! });
    }
  }
  suspects.sort(
    (a, b) =>
      a.selfConfidence - b.selfConfidence ||
      b.suggestedConfidence - b.selfConfidence - (a.suggestedConfidence - a.selfConfidence) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return { thresholds, counts, suspects };
}
