// Lists the images a prediction runs over: a file, every file under a folder (recursively, sorted,
// hidden entries skipped), or every object under an s3:// prefix (key order, through src/storage).
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { EmbedInput } from '../backbone/index.js';
import { LIMITS } from '../dataset/index.js';
import { SkulensError } from '../errors.js';
import { formatS3Uri, isS3Uri, parseS3Uri, type S3Store } from '../storage/index.js';

/** One image to predict: the name written in the output, and how to read it when its turn comes. */
export interface SourceItem {
  image: string;
  load(): Promise<EmbedInput>;
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
  let stat;
  try {
    stat = await fs.stat(target);
  } catch (error) {
    throw new SkulensError('ERR_PATH_NOT_FOUND', { path: target }, { cause: error });
  }
  if (stat.isFile()) {
    yield target;
    return;
  }
  const entries = (await fs.readdir(target, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(target, entry.name);
    if (entry.isDirectory()) yield* walkImages(full);
    else if (entry.isFile()) yield full;
  }
}

/**
 * Items of a local source or an s3:// prefix. S3 objects are listed page by page and downloaded only
 * when their turn comes, so memory stays bounded whatever the bucket holds.
 *
 * @throws SkulensError ERR_S3_NOT_CONFIGURED for an s3:// source when no store is given.
 */
export async function* sourceItems(source: string, store?: () => S3Store): AsyncGenerator<SourceItem> {
  if (!isS3Uri(source)) {
    for await (const file of walkImages(source)) yield { image: file, load: async () => ({ path: file }) };
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
