// What a fast version trains on and how its test photos are scored, per label type: one softmax over the
// labels of a single-label project (unchanged), a softmax per group of a groups project (the frozen groups
// path's head order, params.groups and evaluation), a sigmoid per label of a multi-label project (the frozen
// multi path's labels and evaluation). The fast path's job (fast-version.ts) takes the plan as it comes.
import { evaluateGroups, evaluateHierarchy, evaluateMultiLabel, evaluatePredictions, type EvaluationReport, type ScoredImage } from '../evaluate/index.js';
import type { Taxonomy } from '../labels/index.js';
import type { FastHeads, FastItem, FastRunResult } from '../finetune/index.js';
import type { Entry, Project, Registry, SnapshotEntry } from '../registry/index.js';
import { groupedProbabilities, headProbabilities, sigmoidProbabilities } from '../train/index.js';
import { groupsTrainingSet } from './label-set-version.js';
import { labelSetSplit, trainableSplit, untrainedNote, type LabelSetImage } from './split.js';

/** What a fast version trains on and how its test photos are scored. */
export interface FastPlan {
  labels: string[];
  train: FastItem[];
  evaluate: { path: string; name: string }[];
  heads?: FastHeads;
  /** model.json's label-type parameters: none for single-label (its params are unchanged), labelType and groups for groups. */
  labelParams: Record<string, unknown>;
  images: { train: number; test: number };
  snapshot: SnapshotEntry[];
  /** Single-label: the project's taxonomy as the plan was made (evaluated with, recorded, served with); null otherwise. */
  taxonomy: Taxonomy | null;
  report(run: FastRunResult): EvaluationReport;
}

/**
 * The project's photos as the fast path takes them.
 *
 * @throws SkulensError the splits' errors (ERR_DATASET_EMPTY, ERR_DATASET_TOO_FEW_LABELS), ERR_LABEL_GROUP_INVALID.
 */
export function fastPlan(registry: Registry, project: Project, file: (e: Entry) => string): FastPlan {
  const labelType = registry.projects.labelType(project.id);
  const entries = registry.entries.list(project.id);
  if (labelType === 'single') {
    const split = trainableSplit(entries, project.name);
    const { labels, train, test } = split;
    const taxonomy = registry.taxonomies.get(project.id);
    const labelIndex = new Map(labels.map((label, index) => [label, index]));
    return {
      labels,
      train: train.map((e) => ({ sha256: e.sha256, path: file(e), name: e.source, label: labelIndex.get(e.label)!, dhash: e.dhash })),
      evaluate: test.map((e) => ({ path: file(e), name: e.source })),
      labelParams: {},
      images: { train: train.length, test: test.length },
      snapshot: [...train, ...test].map((e) => ({ sha256: e.sha256, label: e.label, split: e.split, source: e.source })),
      taxonomy,
      report: (run) => {
        const scored: ScoredImage[] = test.map((e, k) => ({ image: e.source, truth: labelIndex.get(e.label)!, probs: headProbabilities(run.head, run.served[k]!) }));
        const flat = { ...evaluatePredictions(labels, scored, run.thresholds), ...untrainedNote(split) };
        // With a taxonomy the version also answers parents: accuracy per level and the fallback, as the frozen path reports.
        return taxonomy ? { ...flat, hierarchy: evaluateHierarchy(labels, scored, run.thresholds, taxonomy) } : flat;
      },
    };
  }
  const split = labelSetSplit(entries, project.name);
  if (labelType === 'multi') return multiPlan(split.train, split.test, file);
  const set = groupsTrainingSet(split.train, split.test);
  const sizes = set.groups.map((g) => g.values.length);
  return {
    labels: set.labels,
    train: set.train.map(({ image, targets }) => ({ sha256: image.entry.sha256, path: file(image.entry), name: image.entry.source, label: targets[set.lead]!, dhash: image.entry.dhash, targets })),
    evaluate: set.test.map(({ image }) => ({ path: file(image.entry), name: image.entry.source })),
    heads: { kind: 'groups', sizes },
    labelParams: { labelType: 'groups', groups: set.groups.map((g) => ({ name: g.name, values: g.values })) },
    images: { train: set.train.length, test: set.test.length },
    snapshot: [...set.train, ...set.test].flatMap(({ image }) => image.labels.map((label) => ({ sha256: image.entry.sha256, label, split: image.split, source: image.entry.source }))),
    taxonomy: null,
    report: (run) =>
      evaluateGroups(
        set.segments,
        set.test.map(({ image, truths, untrained }, k) => ({ image: image.entry.source, truths, untrained, probs: groupedProbabilities(run.head, run.served[k]!, sizes) })),
        run.thresholds,
      ),
  };
}

/** A sigmoid per label: the labels on training photos, sorted; each photo's label indexes (a test label never trained counts as missed). */
function multiPlan(train: readonly LabelSetImage[], test: readonly LabelSetImage[], file: (e: Entry) => string): FastPlan {
  const labels = [...new Set(train.flatMap((i) => i.labels))].sort();
  const index = new Map(labels.map((l, k) => [l, k]));
  const truths = (i: LabelSetImage): number[] => i.labels.filter((l) => index.has(l)).map((l) => index.get(l)!);
  // Folds are stratified on each photo's rarest label, as the frozen multi path's are.
  const frequency = new Array<number>(labels.length).fill(0);
  for (const i of train) for (const k of truths(i)) frequency[k]!++;
  const rarest = (t: number[]): number => t.reduce((best, k) => (frequency[k]! < frequency[best]! ? k : best), t[0] ?? 0);
  return {
    labels,
    train: train.map((i) => ({ sha256: i.entry.sha256, path: file(i.entry), name: i.entry.source, label: rarest(truths(i)), dhash: i.entry.dhash, targets: truths(i) })),
    evaluate: test.map((i) => ({ path: file(i.entry), name: i.entry.source })),
    heads: { kind: 'multi' },
    labelParams: { labelType: 'multi' },
    images: { train: train.length, test: test.length },
    snapshot: [...train, ...test].flatMap((i) => i.labels.map((label) => ({ sha256: i.entry.sha256, label, split: i.split, source: i.entry.source }))),
    taxonomy: null,
    report: (run) =>
      evaluateMultiLabel(labels, test.map((i, k) => ({ image: i.entry.source, truths: truths(i), untrained: i.labels.filter((l) => !index.has(l)), probs: sigmoidProbabilities(run.head, run.served[k]!) })), run.thresholds),
  };
}
