// The one check of what a version can be trained on: every label with training photos (a label without test
// photos trains, serves, and is reported untested); a label with no training photo is left out, named.
import { SkulensError } from '../errors.js';
import type { Entry } from '../registry/index.js';

export interface TrainableSplit {
  /** Labels with at least one training image, sorted. */
  labels: string[];
  train: Entry[];
  /** The test images of those labels. */
  test: Entry[];
  /** Trained labels without a test image: served, reported untested. */
  untested: string[];
  /** Labels with test images but no training image: not in the version; their test images are left out. */
  untrained: { labels: string[]; testImages: number };
}

/**
 * Labels that can be trained: each needs at least one training image, and a version needs two such labels
 * and a test image of one of them. Frozen training, the fast path and fine-tuning all check here.
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
  const labels = [...counts.entries()].filter(([, c]) => c.train > 0).map(([label]) => label).sort();
  const untrained = [...counts.keys()].filter((label) => !labels.includes(label)).sort();
  const kept = new Set(labels);
  const test = entries.filter((e) => e.split === 'test' && kept.has(e.label));
  if (labels.length < 2 || test.length === 0) {
    const why = labels.length < 2 ? `${labels.length} label(s) with training images` : 'no test image of a trained label';
    throw new SkulensError('ERR_DATASET_TOO_FEW_LABELS', {
      detail: `project "${project}" has ${why}${untrained.length ? ` (no training images: ${untrained.join(', ')})` : ''}`,
    });
  }
  return {
    labels,
    train: entries.filter((e) => e.split === 'train' && kept.has(e.label)),
    test,
    untested: labels.filter((label) => counts.get(label)!.test === 0),
    untrained: { labels: untrained, testImages: entries.filter((e) => e.split === 'test' && !kept.has(e.label)).length },
  };
}

/** The single-label report's `untrained` field: labels with test images but none to train on, left out of every figure. */
export function untrainedNote(split: TrainableSplit): { untrained?: { labels: string[]; testImages: number; counted: boolean } } {
  return split.untrained.labels.length === 0 ? {} : { untrained: { ...split.untrained, counted: false } };
}

/** One photo of a multi-label or groups project: its entries (one per label) gathered. */
export interface LabelSetImage {
  /** The photo's first entry (blob, source, dhash are the same for all of them). */
  entry: Entry;
  labels: string[];
  split: 'train' | 'test';
}

/**
 * The photos of a multi-label or groups project, each with all its labels, in a stable order (sha256).
 * A photo whose entries disagree on the split is a test photo (it never trains).
 *
 * @throws SkulensError ERR_DATASET_EMPTY, ERR_DATASET_TOO_FEW_LABELS (no test photo, or fewer than 2 labels on training photos).
 */
export function labelSetSplit(entries: readonly Entry[], project: string): { train: LabelSetImage[]; test: LabelSetImage[] } {
  if (entries.length === 0) throw new SkulensError('ERR_DATASET_EMPTY', { project, detail: '; import a folder of photos first' });
  const bySha = new Map<string, LabelSetImage>();
  for (const e of [...entries].sort((a, b) => (a.sha256 < b.sha256 ? -1 : a.sha256 > b.sha256 ? 1 : 0))) {
    const image = bySha.get(e.sha256);
    if (!image) bySha.set(e.sha256, { entry: e, labels: [e.label], split: e.split });
    else {
      if (!image.labels.includes(e.label)) image.labels.push(e.label);
      if (image.split !== e.split) image.split = 'test';
    }
  }
  const images = [...bySha.values()];
  images.forEach((image) => image.labels.sort());
  const train = images.filter((i) => i.split === 'train');
  const test = images.filter((i) => i.split === 'test');
  const trained = new Set(train.flatMap((i) => i.labels));
  if (trained.size < 2 || test.length === 0) {
    throw new SkulensError('ERR_DATASET_TOO_FEW_LABELS', { detail: `project "${project}" has ${trained.size} labels on ${train.length} training photos and ${test.length} test photos; it needs 2 labels and some test photos` });
  }
  return { train, test };
}
