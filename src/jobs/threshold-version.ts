// A version's test images scored again (for a console's confusion cells, mistakes and live threshold
// slider), and a new version that keeps a trained version's head but takes edited per-label thresholds:
// the same backbone, head and snapshot, evaluated again on the same test images at the new thresholds.
// Those thresholds were chosen looking at the test images, so the new version's figures say so wherever
// they are shown (report.thresholdsChosenOn, the summary, `versions list`, the console). Single-label only:
// the test images are scored with one softmax over the labels.
import fs from 'node:fs/promises';
import path from 'node:path';
import { FLIP_VIEW } from '../augment/index.js';
import { EmbeddingCache, averageUnit, embedWithCache, openEmbedder, versionBackbone } from '../backbone/index.js';
import { SkulensError } from '../errors.js';
import { evaluatePredictions, type EvaluationReport, type ScoredImage } from '../evaluate/index.js';
import type { HomeLayout } from '../home/index.js';
import { readModel, readVersionJson, versionId, type ModelManifest, type Registry, type SnapshotEntry, type Version } from '../registry/index.js';
import { decodeHead, headProbabilities, type Head } from '../train/index.js';
import { runVersionJob } from './version-job.js';

/** One test image of a version with the probability of each label (manifest label order). */
export interface TestPrediction {
  sha256: string;
  source: string;
  truth: string;
  probs: number[];
}

export interface ScoredTestSet {
  manifest: ModelManifest;
  head: Head;
  snapshot: SnapshotEntry[];
  predictions: TestPrediction[];
}

/** The files every version folder has; anything else (a tuning report, a fine-tuned backbone) is carried over. */
const STANDARD_FILES = new Set(['model.json', 'evaluation.json', 'report.json', 'snapshot.json']);

function trained(version: Version, operation: string): string {
  if (version.dir === null || version.status === 'TRAINING_IN_PROGRESS' || version.status === 'TRAINING_FAILED') {
    throw new SkulensError('ERR_VERSION_NOT_READY', { version: versionId(version), status: version.status, wanted: 'trained' });
  }
  const type = (version.params as { labelType?: string }).labelType ?? 'single';
  if (type !== 'single') {
    throw new SkulensError('ERR_LABEL_TYPE_UNSUPPORTED', { operation, labelType: type, project: version.project, detail: `${versionId(version)}'s test images are not one label each; its evaluation (skulens evaluate) has its figures` });
  }
  return version.dir;
}

/**
 * Scores a trained version's test images as its evaluation did (embedding cache first, flip TTA when
 * the version used it). Test images whose stored copy is gone are left out.
 */
export async function scoreTestImages(registry: Registry, home: HomeLayout, version: Version, options: { workers?: number } = {}): Promise<ScoredTestSet> {
  const dir = trained(version, 'Scoring test images one label each');
  const { manifest, head: headBytes } = await readModel(home, dir);
  const head = decodeHead(headBytes);
  const snapshot = (await readVersionJson(home, dir, 'snapshot.json')) as SnapshotEntry[];
  const blobs = new Map(registry.entries.list(version.projectId).map((e) => [e.sha256, path.resolve(home.root, e.blob)]));
  const test = snapshot.filter((e) => e.split === 'test' && blobs.has(e.sha256));
  const flip = manifest.params.tta === 'flip';
  const spec = versionBackbone(manifest.backbone, home.models, path.resolve(home.root, dir));
  const embedder = await openEmbedder(spec, { modelsDir: home.models, workers: options.workers ?? 1 });
  try {
    const items = test.flatMap((e) => [{ sha256: e.sha256, path: blobs.get(e.sha256)! }, ...(flip ? [{ sha256: e.sha256, path: blobs.get(e.sha256)!, view: FLIP_VIEW }] : [])]);
    const vectors = await embedWithCache(embedder, new EmbeddingCache(home.embeddingCache), items);
    const predictions = test.map((e) => {
      const plain = vectors.get(e.sha256)!;
      const vector = flip ? averageUnit(plain, vectors.get(`${e.sha256}.${FLIP_VIEW.key}`)!) : plain;
      return { sha256: e.sha256, source: e.source, truth: e.label, probs: Array.from(headProbabilities(head, vector)) };
    });
    return { manifest, head, snapshot, predictions };
  } finally {
    await embedder.close();
  }
}

/** Re-evaluates scored test images at `thresholds` (labels the version does not know are left out). */
export function evaluateAt(manifest: ModelManifest, predictions: readonly TestPrediction[], thresholds: readonly number[]): EvaluationReport {
  const index = new Map(manifest.labels.map((label, i) => [label, i]));
  const scored: ScoredImage[] = predictions.filter((p) => index.has(p.truth)).map((p) => ({ image: p.source, truth: index.get(p.truth)!, probs: Float32Array.from(p.probs) }));
  return evaluatePredictions(manifest.labels, scored, thresholds);
}

export interface ThresholdVersionOptions {
  /** Told once the new row exists. */
  onStart?: (version: Version) => void;
  workers?: number;
}

/**
 * Makes a new version of `from`'s project with `from`'s backbone and head and the given thresholds
 * (one per label, 0-1, in `from`'s label order), evaluated on the same test images; its report says the
 * thresholds were chosen on the test split.
 *
 * @throws SkulensError ERR_LABEL_TYPE_UNSUPPORTED for a multi-label or groups version (before any row exists).
 *
 * @example
 * const { version } = await thresholdVersion(registry, home, registry.versions.get('shop', 'v1'), { shirt: 0.7 });
 */
export async function thresholdVersion(registry: Registry, home: HomeLayout, from: Version, edits: Readonly<Record<string, number>>, options: ThresholdVersionOptions = {}): Promise<{ version: Version; report: EvaluationReport }> {
  const dir = trained(from, 'Editing thresholds');
  const { manifest } = await readModel(home, dir);
  for (const [label, value] of Object.entries(edits)) {
    if (!manifest.labels.includes(label)) throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'Thresholds', detail: `"${label}" is not a label of ${versionId(from)} (${manifest.labels.join(', ')})` });
    if (!(value >= 0 && value <= 1)) throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'Thresholds', detail: `${label}: ${value} is not in 0-1` });
  }
  const thresholds = manifest.labels.map((label, i) => edits[label] ?? manifest.thresholds[i]!);
  const project = registry.projects.get(from.project);
  return runVersionJob(registry, home, {
    project,
    init: { backbone: from.backbone, params: { ...from.params, thresholdsFrom: from.name }, seed: from.seed },
    onStart: options.onStart,
    work: async () => {
      const scored = await scoreTestImages(registry, home, from, options);
      // Chosen on the test images (the console's sliders read them): the figures say so, never pass for held-out ones.
      const report: EvaluationReport = { ...evaluateAt(manifest, scored.predictions, thresholds), thresholdsChosenOn: 'test' };
      const folder = path.resolve(home.root, dir);
      const files: Record<string, Uint8Array> = {};
      for (const name of await fs.readdir(folder)) {
        if (!STANDARD_FILES.has(name) && name !== manifest.head.file) files[name] = await fs.readFile(path.join(folder, name));
      }
      return {
        output: {
          backbone: manifest.backbone,
          labels: manifest.labels,
          thresholds,
          head: scored.head,
          params: { ...manifest.params, thresholds: 'edited', thresholdsFrom: from.name },
          images: manifest.images,
          report,
          snapshot: scored.snapshot,
          files,
          metrics: { thresholdsFrom: from.name },
        },
        result: { report },
      };
    },
  });
}
