// The import dispatcher: picks the source kind (folder, CSV, manifest; local path or s3:// URI) from
// --format or from the source itself, lists it, and hands the listing to the importer.
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { SkulensError, reasonOf } from '../errors.js';
import type { HomeLayout } from '../home/index.js';
import type { Registry } from '../registry/index.js';
import { isS3Uri, parseS3Uri, type S3Store } from '../storage/index.js';
import { checkUnchanged, readChecked, type FileIdentity } from './confined-read.js';
import { importListing, type ImportOptions, type ImportReport } from './import.js';
import { listCsv, type CsvColumns } from './sources/csv.js';
import { listLocalFolder, listS3Folder } from './sources/folders.js';
import { listManifest } from './sources/manifest.js';
import { localBase, s3Base } from './sources/refs.js';
import type { SourceListing } from './sources/types.js';

export const DatasetFormatSchema = z.enum(['folder', 'csv', 'manifest']);
export type DatasetFormat = z.infer<typeof DatasetFormatSchema>;

export interface DatasetImportOptions extends ImportOptions {
  /** Default: from the source (a folder or prefix; *.csv; *.manifest, *.jsonl, *.json). */
  format?: DatasetFormat;
  /** CSV column names (default path, label, split). */
  columns?: Partial<CsvColumns>;
  /** Manifest label attributes to read (default: every image-classification attribute). */
  labelAttributes?: string[];
  /** A folder's nested folders are a hierarchy (the deepest folder is the label, those above its parents). */
  nested?: boolean;
  /** Manifest attributes become groups (`attr:class`); set from the project's label type by importDataset. */
  attributeGroups?: boolean;
  /** The owner's S3 store (or a getter that makes it on first need); s3:// sources are refused without one. */
  storage?: S3Store | (() => S3Store);
  /** A local source's identity when the server checked it under its import roots: it must be unchanged (a real path). */
  checked?: FileIdentity;
}

// A CSV or manifest is read whole; 1 GiB holds millions of lines, far past the 250,000-image limit.
const MAX_LISTING_BYTES = 1024 * 1024 * 1024;

/** The format a source's name implies, or null when only its being a folder could tell. */
export function formatFromName(source: string): DatasetFormat | null {
  const name = source.toLowerCase();
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.manifest') || name.endsWith('.jsonl') || name.endsWith('.json')) return 'manifest';
  return null;
}

/**
 * Imports `source` into `project`: a local path or an s3:// URI, as a folder per label, a CSV or a
 * Ground Truth manifest. Safe to re-run; images already there (same content, same label) are skipped.
 *
 * @example
 * await importDataset(registry, home, 'shoes', 's3://shop-photos/shoes/train.manifest', { split: 'train' });
 */
export async function importDataset(registry: Registry, home: HomeLayout, project: string, source: string, options: DatasetImportOptions = {}): Promise<ImportReport & { format: DatasetFormat }> {
  const { id } = registry.projects.get(project);
  const attributeGroups = registry.projects.labelType(id) === 'groups';
  const { format, listing } = await listDataset(source, { ...options, attributeGroups }, storeOf(options.storage, source));
  return { ...(await importListing(registry, home, project, listing, options)), format };
}

/** Lists a source without importing it. */
export async function listDataset(source: string, options: Pick<DatasetImportOptions, 'format' | 'columns' | 'labelAttributes' | 'signal' | 'nested' | 'attributeGroups' | 'checked'>, store: () => S3Store): Promise<{ format: DatasetFormat; listing: SourceListing }> {
  if (isS3Uri(source)) {
    const location = parseS3Uri(source);
    const format = options.format ?? formatFromName(location.key) ?? 'folder';
    if (format === 'folder') return { format, listing: await listS3Folder(store, location) };
    const text = (await store().download(location, { maxBytes: MAX_LISTING_BYTES })).toString('utf8');
    return { format, listing: await listText(format, text, s3Base(location), options, store) };
  }
  const absolute = path.resolve(source);
  if (options.checked) await checkUnchanged(absolute, options.checked);
  let stat: import('node:fs').Stats;
  try {
    stat = await fs.stat(absolute);
  } catch (error) {
    throw new SkulensError('ERR_PATH_NOT_FOUND', { path: absolute }, { cause: error });
  }
  const format = options.format ?? (stat.isDirectory() ? 'folder' : formatFromName(absolute));
  if (format === null) throw new SkulensError('ERR_DATASET_FORMAT_UNKNOWN', { source: absolute, detail: 'it is a file that is not *.csv, *.manifest, *.jsonl or *.json' });
  if (format === 'folder') return { format, listing: await listLocalFolder(absolute, { signal: options.signal, nested: options.nested, checked: options.checked }) };
  if (!stat.isFile()) throw new SkulensError('ERR_DATASET_FORMAT_UNKNOWN', { source: absolute, detail: `--format ${format} needs a file, and this is a folder` });
  if (stat.size > MAX_LISTING_BYTES) throw new SkulensError('ERR_DATASET_FORMAT_UNKNOWN', { source: absolute, detail: `it is ${stat.size} bytes, more than any CSV or manifest skulens reads` });
  let text: string;
  try {
    text = (await readChecked(absolute, { identity: options.checked ?? { dev: stat.dev, ino: stat.ino }, maxBytes: MAX_LISTING_BYTES })).toString('utf8');
  } catch (error) {
    if (error instanceof SkulensError) throw error;
    throw new SkulensError('ERR_PATH_NOT_FOUND', { path: `${absolute} (${reasonOf(error)})` }, { cause: error });
  }
  return { format, listing: await listText(format, text, await localBase(absolute), options, store) };
}

function listText(
  format: 'csv' | 'manifest',
  text: string,
  base: Awaited<ReturnType<typeof localBase>>,
  options: Pick<DatasetImportOptions, 'columns' | 'labelAttributes' | 'attributeGroups'>,
  store: () => S3Store,
): Promise<SourceListing> {
  return format === 'csv'
    ? listCsv(text, base, options.columns ?? {}, store)
    : listManifest(text, base, { labelAttributes: options.labelAttributes, attributeGroups: options.attributeGroups }, store);
}

/** A getter of the caller's store; without one, reaching S3 for `uri` is ERR_S3_NOT_CONFIGURED. */
export function storeOf(storage: S3Store | (() => S3Store) | undefined, uri: string): () => S3Store {
  if (typeof storage === 'function') return storage;
  return () => {
    if (!storage) throw new SkulensError('ERR_S3_NOT_CONFIGURED', { detail: `set SKULENS_S3_ENDPOINT (or AWS settings) to read ${uri}` });
    return storage;
  };
}
