// The files of one model version: model.json (what it is), head.bin (the trained head),
// evaluation.json (Rekognition's summary), report.json (full evaluation) and snapshot.json (the
// dataset it saw). Written once into a temp folder and renamed into place; never changed after.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { SkulensError } from '../errors.js';
import { publishDirAtomic, versionDir, type HomeLayout } from '../home/index.js';

export const ModelManifestSchema = z.object({
  format: z.literal('skulens-model/1'),
  project: z.string(),
  version: z.string(),
  backbone: z.object({
    id: z.string(),
    dim: z.number().int().positive(),
    /**
     * A backbone of this version's own (a fine-tuned one): its full backbone row, with `weights.file`
     * relative to the version folder. The serving side validates it as a backbone row.
     */
    spec: z.record(z.string(), z.unknown()).optional(),
    /** The backbone row it was fine-tuned from. */
    base: z.string().optional(),
  }),
  labels: z.array(z.string()).min(1),
  thresholds: z.array(z.number().min(0).max(1)),
  head: z.object({ file: z.string(), kind: z.string(), sha256: z.string() }),
  params: z.record(z.string(), z.unknown()),
  seed: z.number().int(),
  images: z.object({ train: z.number().int(), test: z.number().int() }),
  createdAt: z.string(),
});
export type ModelManifest = z.infer<typeof ModelManifestSchema>;

export interface SnapshotEntry {
  sha256: string;
  label: string;
  split: 'train' | 'test';
  source: string;
}

export interface VersionArtefacts {
  manifest: ModelManifest;
  head: Uint8Array;
  evaluationSummary: unknown;
  report: unknown;
  snapshot: SnapshotEntry[];
  /** Extra JSON files (e.g. a tuning report), by file name. */
  extra?: Record<string, unknown>;
  /** Extra binary files (e.g. a fine-tuned backbone's ONNX graph), by file name. */
  files?: Record<string, Uint8Array>;
}

/** Writes a version's artefacts atomically and returns the folder relative to the home root. */
export async function writeVersionArtefacts(home: HomeLayout, artefacts: VersionArtefacts): Promise<string> {
  const target = versionDir(home, artefacts.manifest.project, artefacts.manifest.version);
  await publishDirAtomic(target, async (temp) => {
    const json = (name: string, value: unknown) => fs.writeFile(path.join(temp, name), `${JSON.stringify(value, null, 2)}\n`);
    await fs.writeFile(path.join(temp, artefacts.manifest.head.file), artefacts.head);
    await json('evaluation.json', artefacts.evaluationSummary);
    await json('report.json', artefacts.report);
    await json('snapshot.json', artefacts.snapshot);
    for (const [name, value] of Object.entries(artefacts.extra ?? {})) await json(name, value);
    for (const [name, bytes] of Object.entries(artefacts.files ?? {})) await fs.writeFile(path.join(temp, name), bytes);
    // model.json last: a folder with a model.json is complete.
    await json('model.json', artefacts.manifest);
  });
  return path.relative(home.root, target);
}

/** Reads and validates a version's model.json and head bytes. */
export async function readModel(home: HomeLayout, dir: string): Promise<{ manifest: ModelManifest; head: Uint8Array }> {
  const folder = path.resolve(home.root, dir);
  const manifestFile = path.join(folder, 'model.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.readFile(manifestFile, 'utf8'));
  } catch (error) {
    throw new SkulensError('ERR_ARTEFACT_CORRUPT', { path: manifestFile, detail: (error as Error).message }, { cause: error });
  }
  const parsed = ModelManifestSchema.safeParse(raw);
  if (!parsed.success) throw new SkulensError('ERR_ARTEFACT_CORRUPT', { path: manifestFile, detail: z.prettifyError(parsed.error) });
  const headFile = path.join(folder, parsed.data.head.file);
  let head: Buffer;
  try {
    head = await fs.readFile(headFile);
  } catch (error) {
    throw new SkulensError('ERR_ARTEFACT_CORRUPT', { path: headFile, detail: (error as Error).message }, { cause: error });
  }
  if (sha256Hex(head) !== parsed.data.head.sha256) {
    throw new SkulensError('ERR_ARTEFACT_CORRUPT', { path: headFile, detail: 'its sha256 does not match model.json' });
  }
  return { manifest: parsed.data, head };
}

/** Reads one JSON artefact of a version (evaluation.json, report.json, ...). */
export async function readVersionJson(home: HomeLayout, dir: string, name: string): Promise<unknown> {
  const file = path.resolve(home.root, dir, name);
  try {
    return JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (error) {
    throw new SkulensError('ERR_ARTEFACT_CORRUPT', { path: file, detail: (error as Error).message }, { cause: error });
  }
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
