// `skulens export`: writes a trained version as files that run without skulens: model.onnx (backbone +
// L2-normalise + head + softmax in one graph when the backbone is ONNX; the head alone otherwise),
// labels.json (labels, thresholds, preprocessing, backbone reference) and a README with run snippets.
import fs from 'node:fs/promises';
import path from 'node:path';
import { verifiedWeights, versionBackbone, type BackboneSpec } from '../backbone/index.js';
import { SkulensError } from '../errors.js';
import { writeFileAtomic, type HomeLayout } from '../home/index.js';
import { readModel, versionArn, versionId, type Registry, type VersionRef } from '../registry/index.js';
import { decodeHead } from '../train/index.js';
import { appendHead, headOnlyModel, OUTPUTS } from './onnx-graph.js';
import { exportReadme } from './readme.js';

/** What an export contains, as written to labels.json. */
export interface ExportManifest {
  format: 'skulens-export/1';
  version: string;
  projectVersionArn: string;
  /** `full`: image in, probabilities out. `head`: the backbone's pooled embedding in (see `backbone`). */
  graph: 'full' | 'head';
  labels: string[];
  /** Per-label decision threshold (0-1), aligned with `labels`: a label is answered when its probability reaches it. */
  thresholds: number[];
  inputs: { name: string; dims: (number | string)[] };
  outputs: { probabilities: string; embedding: string };
  preprocessing: {
    size: number;
    layout: BackboneSpec['input']['layout'];
    resize: BackboneSpec['input']['resize'];
    shorterSide?: number;
    /** value = (pixel - mean) / std per RGB channel, pixel 0..255; `raw255` feeds pixels unchanged. */
    scale: BackboneSpec['input']['scale'];
    notes: string;
  };
  backbone: { id: string; runtime: BackboneSpec['runtime']; tap: string; pool: BackboneSpec['pool']; dim: number; weights: BackboneSpec['weights']; includedInGraph: boolean };
}

/** Exports version `ref` into `outDir` (created if needed; files in it are replaced). Returns the manifest and written files. */
export async function exportVersion(registry: Registry, home: HomeLayout, ref: VersionRef, outDir: string): Promise<{ manifest: ExportManifest; files: string[] }> {
  const version = registry.versions.get(ref.project, ref.name);
  if (version.dir === null) throw new SkulensError('ERR_VERSION_NOT_READY', { version: versionId(version), status: version.status, wanted: 'trained' });
  const { manifest: model, head: headBytes } = await readModel(home, version.dir);
  const labelType = model.params.labelType;
  if (labelType === 'multi' || labelType === 'groups') {
    // The graph ends in one softmax over every label; a sigmoid per label or a softmax per group is not written yet.
    throw new SkulensError('ERR_LABEL_TYPE_UNSUPPORTED', { operation: 'Export', labelType, project: version.project, detail: 'the exported graph ends in one softmax; serve this version with skulens (DetectCustomLabels, batch) instead' });
  }
  const head = decodeHead(headBytes);
  // A fine-tuned version carries its own backbone row (weights inside the version folder).
  const spec = versionBackbone(model.backbone, home.models, path.resolve(home.root, version.dir));
  const full = spec.runtime === 'onnx';
  let onnxBytes: Uint8Array;
  if (full) {
    const [weights] = await verifiedWeights(spec, home.models);
    try {
      onnxBytes = appendHead(await fs.readFile(weights!), spec, head);
    } catch (error) {
      throw new SkulensError('ERR_EXPORT_UNSUPPORTED', { version: versionId(version), detail: (error as Error).message }, { cause: error });
    }
  } else {
    onnxBytes = headOnlyModel(head);
  }
  const { input } = spec;
  const manifest: ExportManifest = {
    format: 'skulens-export/1',
    version: versionId(version),
    projectVersionArn: versionArn(version),
    graph: full ? 'full' : 'head',
    labels: model.labels,
    thresholds: model.thresholds,
    inputs: full
      ? { name: input.name, dims: input.layout === 'nchw' ? ['N', 3, input.size, input.size] : ['N', input.size, input.size, 3] }
      : { name: 'embedding', dims: ['N', head.dim] },
    outputs: { probabilities: OUTPUTS.probabilities, embedding: OUTPUTS.embedding },
    preprocessing: {
      size: input.size,
      layout: input.layout,
      resize: input.resize,
      ...(input.resize === 'shorter-side-crop' ? { shorterSide: input.shorterSide ?? input.size } : {}),
      scale: input.scale,
      notes:
        'RGB, EXIF orientation applied, transparency flattened onto white. squash: resize to size x size ignoring aspect. shorter-side-crop: resize to shorterSide x shorterSide covering the image (shorter side, centre), then take the centre size x size.',
    },
    backbone: { id: spec.id, runtime: spec.runtime, tap: spec.tap, pool: spec.pool, dim: spec.dim, weights: spec.weights, includedInGraph: full },
  };
  await fs.mkdir(outDir, { recursive: true });
  const files = [path.join(outDir, 'model.onnx'), path.join(outDir, 'labels.json'), path.join(outDir, 'README.md')];
  await writeFileAtomic(files[0]!, onnxBytes);
  await writeFileAtomic(files[1]!, `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFileAtomic(files[2]!, exportReadme(manifest));
  return { manifest, files };
}
