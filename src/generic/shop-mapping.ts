// Generic labels turned into a shop's labels, the baseline that custom labels have to beat: each
// ImageNet class is mapped to the shop label it most often co-occurs with on the training photos, and
// a photo gets the shop label its own ImageNet classes vote for (weighted by their confidence).

/** One generic class seen on a photo: its index and 0-100 confidence. */
export interface ClassScore {
  index: number;
  confidence: number;
}

/** ImageNet class index -> shop label, fitted on training photos. */
export interface ShopLabelMap {
  byClass: ReadonlyMap<number, string>;
  /** Training photos the map was fitted on. */
  photos: number;
}

/**
 * Fits the map: every class among a training photo's generic classes counts once toward that photo's
 * label; each class goes to its most frequent label (ties: the label first in sort order).
 *
 * @example
 * const map = fitShopLabelMap([{ classes: [{ index: 770, confidence: 91 }], label: 'shoes' }]);
 * predictShopLabel(map, [{ index: 770, confidence: 60 }]); // 'shoes'
 */
export function fitShopLabelMap(photos: readonly { classes: readonly ClassScore[]; label: string }[]): ShopLabelMap {
  const counts = new Map<number, Map<string, number>>();
  for (const { classes, label } of photos) {
    for (const { index } of classes) {
      const byLabel = counts.get(index) ?? new Map<string, number>();
      byLabel.set(label, (byLabel.get(label) ?? 0) + 1);
      counts.set(index, byLabel);
    }
  }
  const byClass = new Map<number, string>();
  for (const [index, byLabel] of counts) {
    const [best] = [...byLabel].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    byClass.set(index, best![0]);
  }
  return { byClass, photos: photos.length };
}

/**
 * The shop label a photo's generic classes vote for, each with its confidence; undefined when none
 * of them was ever seen on a training photo (the generic labeller then has nothing to say).
 */
export function predictShopLabel(map: ShopLabelMap, classes: readonly ClassScore[]): string | undefined {
  const votes = new Map<string, number>();
  for (const { index, confidence } of classes) {
    const label = map.byClass.get(index);
    if (label !== undefined) votes.set(label, (votes.get(label) ?? 0) + confidence);
  }
  let best: [string, number] | undefined;
  for (const vote of votes) if (!best || vote[1] > best[1] || (vote[1] === best[1] && vote[0] < best[0])) best = vote;
  return best?.[0];
}

/** Accuracy of the mapped generic labels on labelled photos; a photo with no answer counts as wrong. */
export function shopMappingAccuracy(map: ShopLabelMap, photos: readonly { classes: readonly ClassScore[]; label: string }[]): { accuracy: number; answered: number; total: number } {
  let correct = 0;
  let answered = 0;
  for (const { classes, label } of photos) {
    const guess = predictShopLabel(map, classes);
    if (guess !== undefined) answered += 1;
    if (guess === label) correct += 1;
  }
  return { accuracy: photos.length ? correct / photos.length : 0, answered, total: photos.length };
}
