// Warm starts and resolutions of a fine-tune: `--from <version>` continues from that version's own
// (fine-tuned or fast-path) backbone instead of the ImageNet weights, and the serving resolution of
// progressive resizing becomes the canvas the images are decoded at.
import path from 'node:path';
import { getBackbone, versionBackbone, type BackboneSpec } from '../backbone/index.js';
import { SkulensError } from '../errors.js';
import type { HomeLayout } from '../home/index.js';
import { readModel, versionId, type Registry, type Version } from '../registry/index.js';

/** Where a fine-tune starts: the backbone it loads and the base row its resolutions default from. */
export interface FineTuneStart {
  /** The backbone the engine loads (a version's own, with an absolute weights path, for a warm start). */
  spec: BackboneSpec;
  /** The base row's input (for a warm start, the row the version was itself fine-tuned from). */
  baseInput: BackboneSpec['input'];
  /** The base row's id, recorded as the new version's `backbone.base`. */
  baseId: string;
  from?: Version;
}

/**
 * The version `text` names (`v3` in this project, `<project>/v3` or an ARN) and its backbone, if it has one of
 * its own to continue from.
 *
 * @throws SkulensError ERR_VERSION_NOT_FOUND, ERR_VERSION_NOT_READY (still training or failed),
 *   ERR_FINETUNE_BACKBONE_UNSUPPORTED (a frozen version: its backbone is the shared one).
 */
export async function warmStart(registry: Registry, home: HomeLayout, project: string, text: string): Promise<FineTuneStart> {
  const { version, manifest } = await completedVersion(registry, home, project, text);
  if (!manifest.backbone.spec) {
    throw new SkulensError('ERR_FINETUNE_BACKBONE_UNSUPPORTED', {
      backbone: manifest.backbone.id,
      detail: `${versionId(version)} is a frozen version with no backbone of its own to continue from; give a fine-tuned or fast version to --from`,
    });
  }
  const spec = versionBackbone(manifest.backbone, home.models, path.resolve(home.root, version.dir));
  const baseId = manifest.backbone.base ?? spec.id;
  let baseInput = spec.input;
  try {
    baseInput = getBackbone(baseId, home.models).input;
  } catch {
    // The base row is gone (a user row removed): the version's own input settings stand in.
  }
  return { spec, baseInput, baseId, from: version };
}

/**
 * The trained version a warm start (`--from`, the fast path's or a fine-tune's) names, with its model.
 *
 * @throws SkulensError ERR_VERSION_NOT_FOUND, ERR_VERSION_NOT_READY (still training or failed).
 */
export async function completedVersion(registry: Registry, home: HomeLayout, project: string, text: string): Promise<{ version: Version & { dir: string } } & Awaited<ReturnType<typeof readModel>>> {
  const version = registry.versions.resolveIn(project, text);
  if (!version.dir) throw new SkulensError('ERR_VERSION_NOT_READY', { version: versionId(version), status: version.status, wanted: 'TRAINING_COMPLETED' });
  return { version: version as Version & { dir: string }, ...(await readModel(home, version.dir)) };
}

/** A cold start from a backbone row. */
export function coldStart(spec: BackboneSpec): FineTuneStart {
  return { spec, baseInput: spec.input, baseId: spec.id };
}

/** The serving resolution for a training size: 9/7 of it on a 32-pixel grid (288 for 224). */
export function defaultFinalSize(trainSize: number): number {
  return Math.max(trainSize, Math.round((trainSize * 9) / 7 / 32) * 32);
}

/**
 * The input settings that serve a version at `size`: the same field of view as the base row (its
 * shorter-side-to-crop ratio, 256:224 for MobileNetV2), scaled.
 */
export function inputAt(base: BackboneSpec['input'], size: number): BackboneSpec['input'] {
  if (base.resize !== 'shorter-side-crop') return { ...base, size };
  const ratio = (base.shorterSide ?? base.size) / base.size;
  return { ...base, size, shorterSide: Math.round(size * ratio) };
}
