// Exports a project's dataset as a Ground Truth manifest (what Rekognition imports) or a CSV, with
// the images copied beside it (images/<sha256>.<ext>) or uploaded next to it in S3, so that the
// export stands alone and `datasets import` reads it back to the same entries.
import fs from 'node:fs/promises';
import path from 'node:path';
import { SkulensError } from '../errors.js';
import { writeFileAtomic, type HomeLayout } from '../home/index.js';
import type { Entry, Registry } from '../registry/index.js';
import { formatS3Uri, type S3Store, isS3Uri, keyFolder, parseS3Uri } from '../storage/index.js';
import { csvRow } from './csv-cells.js';
import { storeOf } from './import-dataset.js';
import { CLASSIFICATION, SPLIT_KEY } from './sources/manifest.js';

export type ExportFormat = 'manifest' | 'csv';

export interface ExportReport {
  project: string;
  out: string;
  format: ExportFormat;
  /** Lines written (one per image and split for a manifest, one per entry for a CSV). */
  lines: number;
  entries: number;
  /** Image files copied or uploaded (unique contents). */
  images: number;
}

/** Exports `project` to `out` (a local file or s3:// key). Images go to `images/` beside it. */
export async function exportDataset(
  registry: Registry,
  home: HomeLayout,
  projectName: string,
  out: string,
  options: { format: ExportFormat; storage?: S3Store | (() => S3Store) },
): Promise<ExportReport> {
  const project = registry.projects.get(projectName);
  const entries = registry.entries.list(project.id);
  if (entries.length === 0) throw new SkulensError('ERR_DATASET_EMPTY', { project: projectName, detail: '; nothing to export' });
  const unique = new Map(entries.map((e) => [e.sha256, e]));
  const imageName = (e: Entry): string => `images/${e.sha256}${path.extname(e.blob)}`;
  let refOf: (e: Entry) => string;
  let write: (text: string) => Promise<void>;
  if (isS3Uri(out)) {
    const store = storeOf(options.storage, out)();
    const location = parseS3Uri(out);
    const folder = keyFolder(location.key);
    refOf = (e) => formatS3Uri({ bucket: location.bucket, key: `${folder}${imageName(e)}` });
    await Promise.all([...unique.values()].map(async (e) => store.upload(parseS3Uri(refOf(e)), await fs.readFile(path.join(home.root, e.blob)))));
    // The listing goes last: whoever sees it can fetch every image it names.
    write = (text) => store.upload(location, text, options.format === 'csv' ? 'text/csv' : 'application/x-ndjson');
  } else {
    const target = path.resolve(out);
    const dir = path.dirname(target);
    await fs.mkdir(path.join(dir, 'images'), { recursive: true });
    for (const e of unique.values()) {
      const copy = path.join(dir, imageName(e));
      // Content-addressed names: an existing file of that name already holds these bytes.
      await fs.copyFile(path.join(home.root, e.blob), copy, fs.constants.COPYFILE_EXCL).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
    }
    refOf = imageName;
    write = (text) => writeFileAtomic(target, text);
  }
  const lines = options.format === 'csv' ? csvLines(entries, refOf) : manifestLines(entries, refOf);
  await write(`${lines.join('\n')}\n`);
  return { project: projectName, out, format: options.format, lines: lines.length - (options.format === 'csv' ? 1 : 0), entries: entries.length, images: unique.size };
}

/** One JSON line per image and split; each label an attribute `skulens-label`, `skulens-label-2`, ... */
function manifestLines(entries: readonly Entry[], refOf: (e: Entry) => string): string[] {
  const classIds = new Map([...new Set(entries.map((e) => e.label))].sort().map((label, i) => [label, i]));
  const groups = new Map<string, Entry[]>();
  for (const e of entries) groups.set(`${e.sha256}\0${e.split}`, [...(groups.get(`${e.sha256}\0${e.split}`) ?? []), e]);
  return [...groups.values()].map((group) => {
    const line: Record<string, unknown> = { 'source-ref': refOf(group[0]!), [SPLIT_KEY]: group[0]!.split };
    group.forEach((e, i) => {
      const attr = i === 0 ? 'skulens-label' : `skulens-label-${i + 1}`;
      const meta = e.metadata ?? {};
      const confidence = Number(meta.confidence ?? 1);
      line[attr] = classIds.get(e.label);
      line[`${attr}-metadata`] = {
        ...meta,
        'class-name': e.label,
        confidence: Number.isFinite(confidence) ? confidence : 1,
        type: CLASSIFICATION,
        'human-annotated': meta['human-annotated'] ?? 'yes',
        'creation-date': meta['creation-date'] ?? e.importedAt,
        'job-name': meta['job-name'] ?? 'skulens-export',
      };
    });
    return JSON.stringify(line);
  });
}

/** A header `path,label,split,<metadata keys...>` and one row per entry (csv-cells.ts: formulas neutralised). */
function csvLines(entries: readonly Entry[], refOf: (e: Entry) => string): string[] {
  const keys = [...new Set(entries.flatMap((e) => Object.keys(e.metadata ?? {})))].filter((k) => !['path', 'label', 'split'].includes(k)).sort();
  const header = ['path', 'label', 'split', ...keys];
  return [header, ...entries.map((e) => [refOf(e), e.label, e.split, ...keys.map((k) => e.metadata?.[k] ?? '')])].map((cells) => csvRow(cells).slice(0, -1));
}
