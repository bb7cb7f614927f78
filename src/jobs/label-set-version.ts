// Frozen training of multi-label and attribute-group projects: photos (an entry per label, gathered by
// image) -> embeddings (cached, as for single-label) -> a sigmoid head or stacked group heads with
// thresholds fitted out of fold -> evaluation on the test photos -> an immutable version. model.json
// records the label type (params.labelType) and, for groups, the groups in head order (params.groups);
// a single-label project never comes here, so its versions are unchanged.
import { getBackbone, openEmbedder } from '../backbone/index.js';
import { nearDuplicateClusters } from '../dataset/index.js';
import { evaluateGroups, evaluateMultiLabel, groupSegments, type EvaluationReport, type GroupSegment } from '../evaluate/index.js';
import { SkulensError } from '../errors.js';
import type { HomeLayout } from '../home/index.js';
import { NONE_VALUE, groupLabel, groupsOf, parseGroupLabel, type LabelGroup } from '../labels/index.js';
import type { Entry, Registry } from '../registry/index.js';
import { groupedProbabilities, sigmoidProbabilities, type TuningSet } from '../train/index.js';
import { balanceOf, embedFrozen } from './frozen-embed.js';
import { describeConfig } from './head-pipeline.js';
import { fitGroupsPipeline, fitMultiPipeline, type LabelSetResult } from './label-set-pipeline.js';
import { labelSetSplit, type LabelSetImage } from './split.js';
import type { TrainOptions, TrainParams, TrainResult } from './train-version.js';
import { runVersionJob, type VersionOutput } from './version-job.js';

/** Trains a version of a multi-label or groups project (frozen backbone). */
export async function trainLabelSetVersion(registry: Registry, home: HomeLayout, projectName: string, params: TrainParams, labelType: 'multi' | 'groups', options: TrainOptions): Promise<TrainResult> {
  const project = registry.projects.get(projectName);
  const spec = getBackbone(params.backbone, home.models);
  const { train, test } = labelSetSplit(registry.entries.list(project.id), projectName);
  const started = performance.now();
  let embedder = options.embedder;
  try {
    return await runVersionJob(registry, home, {
      project,
      init: { backbone: spec.id, params: { ...params, labelType }, seed: params.seed },
      onStart: options.onStart,
      signal: options.signal,
      work: async (_version, checkCancelled) => {
        embedder ??= await openEmbedder(spec, { modelsDir: home.models, workers: params.workers });
        // The multi-label head trains on the centre view only: no augmented views are embedded for it.
        const entries = (images: readonly LabelSetImage[]): Entry[] => images.map((i) => i.entry);
        const embedded = await embedFrozen(embedder, home, params, { train: entries(train), test: entries(test), views: labelType === 'groups' }, options);
        const embedSeconds = embedded.embedSeconds;
        checkCancelled();
        const vector = (i: LabelSetImage): Float32Array => embedded.vector(i.entry);
        const testVector = (i: LabelSetImage): Float32Array => embedded.testVector(i.entry);
        const clusters = nearDuplicateClusters(train.map((i) => i.entry.dhash));
        const pipeline = { seed: params.seed, C: params.C, balance: balanceOf(params), tune: params.tune, budgetSeconds: params.budgetSeconds, maxTrials: params.maxTrials, targetPrecision: params.targetPrecision } as const;
        const hooks = {
          signal: options.signal,
          onTried: (detail: string, done: number, planned: number) => options.onProgress?.({ phase: 'tune', done, total: Math.max(done, planned), detail }),
          onFit: (step: number, total: number, loss: number) => options.onProgress?.({ phase: 'fit', done: step, total, detail: `loss ${loss.toFixed(4)}` }),
        };
        options.onProgress?.({ phase: 'tune', done: 0, total: 1 });

        let labels: string[];
        let fitted: LabelSetResult;
        let report: EvaluationReport;
        let extraParams: Record<string, unknown>;
        const testImages = test;
        if (labelType === 'multi') {
          labels = [...new Set(train.flatMap((i) => i.labels))].sort();
          const index = new Map(labels.map((l, k) => [l, k]));
          const Y = (i: LabelSetImage): number[] => i.labels.filter((l) => index.has(l)).map((l) => index.get(l)!);
          fitted = fitMultiPipeline(train.map(vector), train.map(Y), labels.length, clusters, pipeline, hooks);
          checkCancelled();
          options.onProgress?.({ phase: 'evaluate', done: 0, total: test.length });
          // A test label never trained stays in the truth, as a label the answer misses.
          const never = (i: LabelSetImage): string[] => i.labels.filter((l) => !index.has(l));
          report = evaluateMultiLabel(labels, test.map((i) => ({ image: i.entry.source, truths: Y(i), untrained: never(i), probs: sigmoidProbabilities(fitted.head, testVector(i)) })), fitted.thresholds);
          extraParams = {};
        } else {
          const groups = groupsOf(train.map((i) => i.labels));
          const segments = groupSegments(groups);
          labels = segments.flatMap((s) => s.values.map((v) => groupLabel(s.name, v)));
          const sets: TuningSet[] = groups.map((_, g) => ({
            views: train.map((i, k) => embedded.views(i.entry, k)),
            y: Int32Array.from(train, (i) => truthsOf(groups, i.labels)![g]!),
            groups: clusters,
            splits: train.map(() => 'train'),
            numClasses: groups[g]!.values.length,
          }));
          fitted = fitGroupsPipeline(groups, sets, pipeline, hooks);
          checkCancelled();
          options.onProgress?.({ phase: 'evaluate', done: 0, total: testImages.length });
          const sizes = groups.map((g) => g.values.length);
          report = evaluateGroups(
            segments,
            testImages.map((i) => ({ image: i.entry.source, ...testTruths(groups, i.labels), probs: groupedProbabilities(fitted.head, testVector(i), sizes) })),
            fitted.thresholds,
          );
          extraParams = { groups: groups.map((g) => ({ name: g.name, values: g.values })) };
        }
        checkCancelled();
        options.onProgress?.({ phase: 'write', done: 0, total: 1 });
        const trainSeconds = (performance.now() - started) / 1000;
        const winner = fitted.tuning.winner as Parameters<typeof describeConfig>[0] | { C: number };
        const output: VersionOutput = {
          backbone: { id: spec.id, dim: spec.dim },
          labels,
          thresholds: fitted.thresholds,
          head: fitted.head,
          params: { ...params, balance: pipeline.balance, labelType, ...extraParams, head: winner, thresholds: fitted.thresholdMethod },
          images: { train: train.length, test: testImages.length },
          report,
          snapshot: [...train, ...testImages].flatMap((i) => i.labels.map((label) => ({ sha256: i.entry.sha256, label, split: i.split, source: i.entry.source }))),
          extra: { 'tuning.json': fitted.tuning },
          metrics: { trainSeconds, embedSeconds, labelType, head: 'kind' in winner ? describeConfig(winner) : `sigmoid C=${winner.C}` },
        };
        return { output, result: { report, trainSeconds, embedSeconds } };
      },
    });
  } finally {
    if (!options.embedder) await embedder?.close();
  }
}

/** A groups project's photos for one head with a softmax per group (the fast path's; the frozen path stacks a head per group). */
export interface GroupsTrainingSet {
  /** The groups in head order (model.json's params.groups). */
  groups: LabelGroup[];
  segments: GroupSegment[];
  /** The stacked labels, `group:value`, segment after segment. */
  labels: string[];
  /** Each photo with its value index in each group (NONE_VALUE's index where it has none). */
  train: { image: LabelSetImage; targets: number[] }[];
  /** Test photos, each with its value index per group (-1 for a value never trained) and the labels never trained: counted as errors. */
  test: { image: LabelSetImage; truths: number[]; untrained: string[] }[];
  /** The group with the most values: it stratifies the validation folds, as it leads the frozen path's search. */
  lead: number;
}

/**
 * The groups, stacked labels and per-photo targets of a groups project, in the frozen path's head order.
 *
 * @throws SkulensError ERR_LABEL_GROUP_INVALID (a group with one value on every photo, or a malformed label).
 */
export function groupsTrainingSet(train: readonly LabelSetImage[], test: readonly LabelSetImage[]): GroupsTrainingSet {
  const groups = groupsOf(train.map((i) => i.labels));
  groups.forEach((g) => {
    if (g.values.length < 2) throw new SkulensError('ERR_LABEL_GROUP_INVALID', { label: `${g.name}:${g.values[0]}`, detail: `group "${g.name}" has one value on every photo; a group needs at least two values to learn` });
  });
  const segments = groupSegments(groups);
  const scorable = (images: readonly LabelSetImage[]): { image: LabelSetImage; targets: number[] }[] =>
    images.flatMap((image) => {
      const targets = truthsOf(groups, image.labels);
      return targets === null ? [] : [{ image, targets }];
    });
  return {
    groups,
    segments,
    labels: segments.flatMap((s) => s.values.map((v) => groupLabel(s.name, v))),
    train: scorable(train),
    test: test.map((image) => ({ image, ...testTruths(groups, image.labels) })),
    lead: groups.reduce((best, g, k) => (g.values.length > groups[best]!.values.length ? k : best), 0),
  };
}

/** Each group's value index for a photo's labels (NONE_VALUE where it has none), or null when a value was never trained. */
function truthsOf(groups: readonly LabelGroup[], labels: readonly string[]): number[] | null {
  const values = new Map(labels.map((l) => {
    const { group, value } = parseGroupLabel(l);
    return [group, value] as const;
  }));
  const out: number[] = [];
  for (const g of groups) {
    const at = g.values.indexOf(values.get(g.name) ?? NONE_VALUE);
    if (at < 0) return null;
    out.push(at);
  }
  return out;
}

/**
 * A test photo's value index in each group, -1 where its value (or its lack of one) was never trained, and
 * the labels it carries that the version never trained: scored as errors, never left out.
 */
export function testTruths(groups: readonly LabelGroup[], labels: readonly string[]): { truths: number[]; untrained: string[] } {
  const values = new Map(labels.map((l) => {
    const { group, value } = parseGroupLabel(l);
    return [group, value] as const;
  }));
  const untrained: string[] = [];
  const truths = groups.map((g) => {
    const value = values.get(g.name) ?? NONE_VALUE;
    const at = g.values.indexOf(value);
    if (at < 0) untrained.push(groupLabel(g.name, value));
    return at;
  });
  for (const [group, value] of values) if (!groups.some((g) => g.name === group)) untrained.push(groupLabel(group, value));
  return { truths, untrained: untrained.sort() };
}
