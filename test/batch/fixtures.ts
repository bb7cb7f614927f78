// A skulens home with one trained version, made in milliseconds: a tiny ONNX backbone (GlobalAveragePool
// of the scaled input, 3-d) as a user backbone row, and a hand-written head written as real artefacts.
// Shared by the batch and export tests.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { resolveHome, type HomeLayout } from '../../src/home/index.js';
import { Registry, versionArn, writeVersionArtefacts, type ModelManifest, type Version } from '../../src/registry/index.js';
import { encodeHead, type Head } from '../../src/train/index.js';
import { tinyBackboneRow, tinyOnnxModel } from '../backbone/fixtures.js';

export const TINY_ROW = tinyBackboneRow({ mean: [10, 20, 30], std: [60, 50, 40] });

export const LABELS = ['red', 'green', 'blue'];

/** A logistic head over the 3-d colour embedding that prefers the matching colour. */
export function logisticHead(): Head {
  return { kind: 'logistic', dim: 3, numClasses: 3, weights: Float32Array.of(6, -2, -2, -2, 6, -2, -2, -2, 6), bias: Float32Array.of(0.1, -0.2, 0.05) };
}

/** A small MLP head (4 hidden units) over the same embedding. */
export function mlpHead(): Head {
  return {
    kind: 'mlp',
    dim: 3,
    hidden: 4,
    numClasses: 3,
    w1: Float32Array.of(2, -1, 0.5, -1, 2, 0.3, 0.2, -0.4, 2, 1, 1, 1),
    b1: Float32Array.of(0.1, 0, -0.1, 0.2),
    w2: Float32Array.of(3, -1, -1, 0.5, -1, 3, -1, 0.5, -1, -1, 3, -0.5),
    b2: Float32Array.of(0, 0.1, -0.1),
  };
}

export interface TrainedHome {
  home: HomeLayout;
  registry: Registry;
  version: Version;
  arn: string;
  ref: string;
}

/** Creates home `dir` with the tiny backbone and version `shop/v1` holding `head`; `backbone` overrides the row id (e.g. the TF.js default, for head-only export). */
export async function trainedHome(dir: string, head: Head = logisticHead(), backbone = 'tiny'): Promise<TrainedHome> {
  const home = resolveHome(dir, {});
  fs.mkdirSync(path.join(home.models, 'tiny'), { recursive: true });
  fs.writeFileSync(path.join(home.models, 'tiny', 'model.onnx'), tinyOnnxModel(8));
  fs.writeFileSync(path.join(home.models, 'tiny.backbone.json'), JSON.stringify(TINY_ROW));
  const registry = Registry.open(home.database);
  const project = registry.projects.create('shop');
  const created = registry.versions.create(project.id, { backbone, params: {}, seed: 1 });
  const headBytes = encodeHead(head);
  const manifest: ModelManifest = {
    format: 'skulens-model/1',
    project: 'shop',
    version: created.name,
    backbone: { id: backbone, dim: head.dim },
    labels: LABELS,
    thresholds: [0.5, 0.4, 0.6],
    head: { file: 'head.bin', kind: head.kind, sha256: createHash('sha256').update(headBytes).digest('hex') },
    params: {},
    seed: 1,
    images: { train: 0, test: 0 },
    createdAt: new Date().toISOString(),
  };
  const versionDir = await writeVersionArtefacts(home, { manifest, head: headBytes, evaluationSummary: {}, report: {}, snapshot: [] });
  const version = registry.versions.complete(created.id, { dir: versionDir, metrics: {} });
  return { home, registry, version, arn: versionArn(version), ref: `shop/${version.name}` };
}
