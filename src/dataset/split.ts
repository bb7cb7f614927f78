// Seeded stratified train/test split: per label, a fixed share of images goes to test, chosen by a
// keyed hash of each image's content so that the split is reproducible and stable when data is added.
import { createHash } from 'node:crypto';
import type { Split } from '../registry/index.js';

export const DEFAULT_SPLIT_SEED = 42;
export const DEFAULT_TEST_FRACTION = 0.2;

export interface SplitItem {
  id: number;
  label: string;
  sha256: string;
}

/**
 * Assigns each item to train or test, stratified by label: round(testFraction * n) test images per
 * label, and at least one for every label with two or more images.
 */
export function stratifiedSplit(items: readonly SplitItem[], seed = DEFAULT_SPLIT_SEED, testFraction = DEFAULT_TEST_FRACTION): Map<number, Split> {
  const byLabel = new Map<string, SplitItem[]>();
  for (const item of items) {
    const group = byLabel.get(item.label) ?? [];
    group.push(item);
    byLabel.set(item.label, group);
  }
  const result = new Map<number, Split>();
  for (const group of byLabel.values()) {
    const ranked = group
      .map((item) => ({ item, key: createHash('sha256').update(`${seed}:${item.sha256}`).digest('hex') }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const wanted = Math.round(testFraction * ranked.length);
    const testCount = ranked.length >= 2 ? Math.min(ranked.length - 1, Math.max(1, wanted)) : 0;
    ranked.forEach(({ item }, index) => result.set(item.id, index < testCount ? 'test' : 'train'));
  }
  return result;
}
