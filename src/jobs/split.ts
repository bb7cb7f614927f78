// The one check of what a version can be trained on: the labels with images in both splits.
import { SkulensError } from '../errors.js';
import type { Entry } from '../registry/index.js';

export interface TrainableSplit {
  /** Labels with at least one train and one test image, sorted. */
  labels: string[];
  train: Entry[];
  test: Entry[];
}

/**
 * Labels that can be trained and tested: each needs at least one train and one test image, and a
 * version needs two such labels. Frozen training and fine-tuning both check here.
 *
 * @throws SkulensError ERR_DATASET_EMPTY (no images), ERR_DATASET_TOO_FEW_LABELS (naming the labels left out).
 */
export function trainableSplit(entries: readonly Entry[], project: string): TrainableSplit {
  if (entries.length === 0) throw new SkulensError('ERR_DATASET_EMPTY', { project, detail: '; import a folder of photos first' });
  const counts = new Map<string, { train: number; test: number }>();
  for (const e of entries) {
    const c = counts.get(e.label) ?? { train: 0, test: 0 };
    c[e.split] += 1;
    counts.set(e.label, c);
  }
  const labels = [...counts.entries()].filter(([, c]) => c.train > 0 && c.test > 0).map(([label]) => label).sort();
  const dropped = [...counts.keys()].filter((label) => !labels.includes(label)).sort();
  if (labels.length < 2) {
    throw new SkulensError('ERR_DATASET_TOO_FEW_LABELS', {
      detail: `project "${project}" has ${labels.length}${dropped.length ? ` (left out for lack of train or test images: ${dropped.join(', ')})` : ''}`,
    });
  }
  const kept = new Set(labels);
  return {
    labels,
    train: entries.filter((e) => e.split === 'train' && kept.has(e.label)),
    test: entries.filter((e) => e.split === 'test' && kept.has(e.label)),
  };
}
