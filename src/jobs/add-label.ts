// Few-shot labels: adds a label to a trained version from a handful of photos, by nearest class mean
// over embeddings, and publishes the result as a new version. The base head is not retrained: the
// new class becomes one more row of it, calibrated against the base version's training images.
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { EmbeddingCache, embedWithCache, getBackbone, openEmbedder, type Embedder } from '../backbone/index.js';
import { sha256Hex } from '../dataset/index.js';
import { SkulensError } from '../errors.js';
import { evaluatePredictions, type EvaluationReport } from '../evaluate/index.js';
import type { HomeLayout } from '../home/index.js';
import { checkLabel } from '../labels/index.js';
import { Int, Seed } from '../params.js';
import { readModel, readVersionJson, versionId, type Registry, type SnapshotEntry, type Version, type VersionRef } from '../registry/index.js';
import { appendPrototypes, calibratePrototypes, classMean, decodeHead, headProbabilities, mulberry32, shuffleInPlace, type Head, type PrototypeCalibration } from '../train/index.js';
import { runVersionJob, type VersionOutput } from './version-job.js';

export const AddLabelParamsSchema = z.object({
  label: z.string().trim().min(1).max(256),
  images: z.array(z.string().min(1)).min(1).max(1000),
  seed: Seed,
  workers: Int(1, 64).optional(),
});
export type AddLabelParams = z.input<typeof AddLabelParamsSchema>;

/** Known training images used to calibrate a new label; a seeded subset keeps it fast. */
const MAX_KNOWN = 1000;

/**
 * Appends one class per shot list and gives each new label the mean of the existing thresholds
 * (there are no held-out photos of it to fit one on).
 */
export function extendWithShots(
  head: Head,
  thresholds: readonly number[],
  known: readonly { x: Float32Array; label: number }[],
  shots: readonly Float32Array[][],
): { head: Head; thresholds: number[]; calibration: PrototypeCalibration } {
  const calibration = calibratePrototypes(head, known, shots);
  const mean = thresholds.reduce((s, t) => s + t, 0) / thresholds.length;
  return { head: appendPrototypes(head, shots.map((rows) => classMean(rows)), calibration), thresholds: [...thresholds, ...shots.map(() => mean)], calibration };
}

export interface AddLabelResult {
  version: Version;
  report: EvaluationReport;
  calibration: PrototypeCalibration;
}

/** Creates `<project>/v<N+1>` = `ref` plus `label`, learnt from `images` (files). */
export async function addLabelVersion(
  registry: Registry,
  home: HomeLayout,
  ref: VersionRef,
  rawParams: AddLabelParams,
  options: { embedder?: Embedder; onProgress?: (done: number, total: number) => void } = {},
): Promise<AddLabelResult> {
  const params = AddLabelParamsSchema.parse(rawParams);
  checkLabel(params.label, 'label');
  const base = registry.versions.get(ref.project, ref.name);
  if (base.dir === null || base.status === 'TRAINING_IN_PROGRESS' || base.status === 'TRAINING_FAILED') {
    throw new SkulensError('ERR_VERSION_NOT_READY', { version: versionId(base), status: base.status, wanted: 'trained' });
  }
  const { manifest, head: headBytes } = await readModel(home, base.dir);
  const labelType = manifest.params.labelType;
  if (labelType === 'multi' || labelType === 'groups') {
    throw new SkulensError('ERR_LABEL_TYPE_UNSUPPORTED', { operation: 'labels add (few-shot)', labelType, project: ref.project, detail: 'a prototype label extends one softmax over one label per photo; import the photos with their labels and retrain with `skulens train --mode frozen`' });
  }
  if (manifest.labels.includes(params.label)) {
    throw new SkulensError('ERR_LABEL_INVALID', { label: params.label, detail: `${versionId(base)} already has it; use a new name or retrain with the photos imported` });
  }
  const head = decodeHead(headBytes);
  const snapshot = (await readVersionJson(home, base.dir, 'snapshot.json')) as SnapshotEntry[];
  const project = registry.projects.get(ref.project);
  const blobs = new Map(registry.entries.list(project.id).map((e) => [e.sha256, path.resolve(home.root, e.blob)]));
  const labelIndex = new Map(manifest.labels.map((label, k) => [label, k]));
  const usable = (split: 'train' | 'test') => snapshot.filter((s) => s.split === split && blobs.has(s.sha256) && labelIndex.has(s.label));
  const known = shuffleInPlace(usable('train'), mulberry32(params.seed)).slice(0, MAX_KNOWN);
  const test = usable('test');
  const shotFiles = await Promise.all(
    params.images.map(async (file) => {
      const bytes = await fs.readFile(file).catch((error: unknown) => {
        throw new SkulensError('ERR_PATH_NOT_FOUND', { path: file }, { cause: error });
      });
      return { sha256: sha256Hex(bytes), path: path.resolve(file) };
    }),
  );

  const spec = getBackbone(manifest.backbone.id, home.models);
  const fewShot = { from: base.name, label: params.label, images: shotFiles.length, method: 'nearest class mean' };
  let embedder = options.embedder;
  try {
    return await runVersionJob(registry, home, {
      project,
      init: { backbone: spec.id, params: { ...manifest.params, fewShot }, seed: params.seed },
      work: async () => {
        embedder ??= await openEmbedder(spec, { modelsDir: home.models, workers: params.workers });
        const items = [...shotFiles, ...[...known, ...test].map((s) => ({ sha256: s.sha256, path: blobs.get(s.sha256)! }))];
        const vectors = await embedWithCache(embedder, new EmbeddingCache(home.embeddingCache), items, { onProgress: (done, total) => options.onProgress?.(done, total) });
        const extended = extendWithShots(
          head,
          manifest.thresholds,
          known.map((s) => ({ x: vectors.get(s.sha256)!, label: labelIndex.get(s.label)! })),
          [shotFiles.map((s) => vectors.get(s.sha256)!)],
        );
        const labels = [...manifest.labels, params.label];
        const scored = test.map((s) => ({ image: s.source, truth: labelIndex.get(s.label)!, probs: headProbabilities(extended.head, vectors.get(s.sha256)!) }));
        const report = evaluatePredictions(labels, scored, extended.thresholds);
        const recorded = { ...fewShot, ...extended.calibration };
        const images = { train: manifest.images.train + shotFiles.length, test: test.length };
        const output: VersionOutput = {
          backbone: manifest.backbone,
          labels,
          thresholds: extended.thresholds,
          head: extended.head,
          params: { ...manifest.params, fewShot: recorded },
          images,
          report,
          snapshot: [...snapshot, ...shotFiles.map((s) => ({ sha256: s.sha256, label: params.label, split: 'train' as const, source: s.path }))],
          metrics: { fewShot: recorded },
        };
        return { output, result: { report, calibration: extended.calibration } };
      },
    });
  } finally {
    if (!options.embedder) await embedder?.close();
  }
}
