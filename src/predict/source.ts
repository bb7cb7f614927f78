// Lists the images a prediction runs over: a file, every file under a folder (recursively, sorted,
// hidden entries skipped, symlinks not followed), or every object under an s3:// prefix (key order,
// through src/storage). A local file is read when its turn comes, through its real path and checked to
// be the file listed (dataset's readChecked), so swapping a folder for a symlink reads nothing elsewhere.
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { EmbedInput } from '../backbone/index.js';
import { LIMITS, checkPixelLimit, checkUnchanged, readChecked, type FileIdentity } from '../dataset/index.js';
import { SkulensError } from '../errors.js';
import { formatS3Uri, isS3Uri, parseS3Uri, type S3Store } from '../storage/index.js';

/** One image to predict: the name written in the output, and how to read it when its turn comes. */
export interface SourceItem {
  image: string;
  /** A local file's real path as listed (what a queue worker reads through {@link loadChecked}). */
  file?: string;
  load(): Promise<EmbedInput>;
}

/**
 * Reads a local image for prediction: `real` must still be the regular file listed (of `identity`, when
 * known) and its header at most 4096 px a side; `shown` names it in errors.
 */
export async function loadChecked(real: string, shown: string, identity?: FileIdentity): Promise<EmbedInput> {
  const bytes = await readChecked(real, { identity, maxBytes: LIMITS.maxFileBytes, shown });
  await checkPixelLimit(bytes, shown);
  return { path: shown, bytes };
}

/** Checks a source before a run: an s3:// prefix as given, a local folder or file resolved and required to exist. */
export function checkSource(source: string): string {
  if (isS3Uri(source)) return source;
  const resolved = path.resolve(source);
  if (!existsSync(resolved)) throw new SkulensError('ERR_PATH_NOT_FOUND', { path: resolved });
  return resolved;
}

/** Yields the files under `target` (itself when it is a file), in a stable order. */
export async function* walkImages(target: string): AsyncGenerator<string> {
  for await (const listed of walkListed(target)) yield listed.file;
}

/** A listed local file: its name (under the path given), its real path and identity when listed. */
interface ListedFile {
  file: string;
  real: string;
  identity: FileIdentity;
}

/** Like walkImages, with each file's real path and identity; `checked`: the root must still be what a caller checked. */
async function* walkListed(target: string, checked?: FileIdentity): AsyncGenerator<ListedFile> {
  if (checked) await checkUnchanged(target, checked);
  let real: string;
  let stat;
  try {
    real = await fs.realpath(target);
    stat = await fs.stat(real);
  } catch (error) {
    throw new SkulensError('ERR_PATH_NOT_FOUND', { path: target }, { cause: error });
  }
  if (stat.isFile()) {
    yield { file: target, real, identity: { dev: stat.dev, ino: stat.ino } };
    return;
  }
  yield* walkFolder(target, real);
}

async function* walkFolder(dir: string, realDir: string): AsyncGenerator<ListedFile> {
  const entries = (await fs.readdir(realDir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const real = path.join(realDir, entry.name);
    if (entry.isDirectory()) yield* walkFolder(path.join(dir, entry.name), real);
    else if (entry.isFile()) {
      const stat = await fs.lstat(real).catch(() => undefined);
      if (stat?.isFile()) yield { file: path.join(dir, entry.name), real, identity: { dev: stat.dev, ino: stat.ino } };
    }
  }
}

/**
 * Items of a local source or an s3:// prefix. S3 objects are listed page by page and downloaded only
 * when their turn comes, so memory stays bounded whatever the bucket holds. `options.checked`: the
 * identity of a local source the server checked under its import roots (it must be unchanged).
 *
 * @throws SkulensError ERR_S3_NOT_CONFIGURED for an s3:// source when no store is given.
 */
export async function* sourceItems(source: string, store?: () => S3Store, options: { checked?: FileIdentity } = {}): AsyncGenerator<SourceItem> {
  if (!isS3Uri(source)) {
    for await (const listed of walkListed(source, options.checked)) {
      yield { image: listed.file, file: listed.real, load: () => loadChecked(listed.real, listed.file, listed.identity) };
    }
    return;
  }
  if (!store) throw new SkulensError('ERR_S3_NOT_CONFIGURED', { detail: `set SKULENS_S3_ENDPOINT (or AWS settings) to read ${source}` });
  const prefix = parseS3Uri(source);
  const s3 = store();
  for await (const object of s3.list(prefix)) {
    if (object.key.endsWith('/') || path.posix.basename(object.key).startsWith('.')) continue;
    const location = { bucket: prefix.bucket, key: object.key };
    const image = formatS3Uri(location);
    yield {
      image,
      load: async () => ({
        name: image,
        bytes: await s3.download(location, { known: { etag: object.etag, size: object.size }, maxBytes: LIMITS.maxFileBytes }),
      }),
    };
  }
}
