// Folder-per-label sources as item listings: a local folder (src/dataset/folder-source.ts lists it,
// refusing symlinks that lead out) or an S3 prefix laid out the same way: <prefix>/<label>/<key>, or
// <prefix>/{train,test}/<label>/<key>.
import path from 'node:path';
import { SkulensError } from '../../errors.js';
import type { Split } from '../../registry/index.js';
import { formatS3Uri, type S3Location, type S3Store } from '../../storage/index.js';
import { labelProblem, listFolderDataset, type WalkOptions } from '../folder-source.js';
import { LIMITS } from '../limits.js';
import { fileReader, s3Reader } from './refs.js';
import type { SourceItem, SourceListing } from './types.js';

/**
 * A local folder per label. With `nested`, folders inside folders are a hierarchy: an image's label is the
 * folder holding it, and the folders above are its parents (<root>/Milk/Arla-Standard-Milk/*.jpg is
 * Arla-Standard-Milk under Milk); the listing's `hierarchy` says so.
 */
export async function listLocalFolder(root: string, options: WalkOptions & { nested?: boolean } = {}): Promise<SourceListing> {
  const listing = await listFolderDataset(root, options);
  const origin = path.resolve(root);
  if (!options.nested) {
    return {
      origin,
      items: listing.files.map((f) => ({ ref: f.file, line: null, labels: [{ label: f.label, metadata: null }], split: f.split, read: fileReader(f.file, f.real, f.identity) })),
      rejected: [],
      notices: listing.notices,
    };
  }
  const splitRoots = listing.files.some((f) => ['train', 'test'].includes(path.relative(origin, f.file).split(path.sep)[0]!.toLowerCase()) && path.relative(origin, f.file).split(path.sep).length > 2);
  const chains = listing.files.map((f) => {
    const folders = path.relative(origin, path.dirname(f.file)).split(path.sep);
    return (splitRoots ? folders.slice(1) : folders).reverse();
  });
  const hierarchy = new Map<string, string[]>();
  chains.forEach(([label, ...parents]) => hierarchy.set(label!, parents));
  return {
    origin,
    items: listing.files.map((f, i) => ({ ref: f.file, line: null, labels: [{ label: chains[i]![0]!, metadata: null }], split: f.split, read: fileReader(f.file, f.real, f.identity) })),
    rejected: [],
    notices: listing.notices,
    hierarchy: [...hierarchy.entries()].map(([label, parents]) => ({ label, parents })),
  };
}

/** An S3 prefix laid out as a folder per label; listed page by page. */
export async function listS3Folder(store: () => S3Store, prefix: S3Location): Promise<SourceListing> {
  const base = prefix.key === '' || prefix.key.endsWith('/') ? prefix.key : `${prefix.key}/`;
  const origin = formatS3Uri({ bucket: prefix.bucket, key: base });
  const objects = [];
  for await (const object of store().list({ bucket: prefix.bucket, key: base })) objects.push(object);
  const paths = objects.map((o) => ({ object: o, parts: o.key.slice(base.length).split('/') }));
  const visible = paths.filter((p) => p.parts.length > 0 && !p.parts.some((part) => part.startsWith('.')) && !p.object.key.endsWith('/'));
  const splitOf = (name: string | undefined): Split | undefined => (name?.toLowerCase() === 'train' ? 'train' : name?.toLowerCase() === 'test' ? 'test' : undefined);
  const hasSplitRoots = visible.some((p) => p.parts.length >= 3 && splitOf(p.parts[0]) !== undefined);
  const items: SourceItem[] = [];
  const notices: string[] = [];
  for (const { object, parts } of visible) {
    const uri = formatS3Uri({ bucket: prefix.bucket, key: object.key });
    const split = hasSplitRoots ? splitOf(parts[0]) : null;
    const labelParts = hasSplitRoots ? parts.slice(1) : parts;
    if (split === undefined) {
      notices.push(`${uri}: left out, only train/ and test/ are read beside each other`);
      continue;
    }
    if (labelParts.length < 2) {
      notices.push(`${uri}: left out, an object must sit in a folder named after its label`);
      continue;
    }
    const label = labelParts[0]!;
    const problem = labelProblem(label);
    if (problem) {
      notices.push(`${uri}: left out, "${label}" is not a usable label (${problem})`);
      continue;
    }
    items.push({ ref: uri, line: null, labels: [{ label, metadata: null }], split, read: s3Reader(store, { bucket: prefix.bucket, key: object.key }, { etag: object.etag, size: object.size }) });
  }
  // With only train/ given, the test set is drawn from it, as for a local folder.
  if (hasSplitRoots && !items.some((i) => i.split === 'test')) for (const item of items) item.split = null;
  if (new Set(items.map((i) => i.labels[0]!.label)).size > LIMITS.maxLabels) {
    throw new SkulensError('ERR_DATASET_TOO_MANY_LABELS', { max: LIMITS.maxLabels, path: origin, count: new Set(items.map((i) => i.labels[0]!.label)).size });
  }
  if (items.length === 0) {
    throw new SkulensError('ERR_DATASET_LAYOUT_INVALID', { path: origin, detail: 'no objects found under <prefix>/<label>/ or <prefix>/{train,test}/<label>/' });
  }
  return { origin, items, rejected: [], notices };
}
