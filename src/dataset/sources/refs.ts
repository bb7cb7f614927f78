// Resolves the image references a CSV or manifest holds: s3:// URIs, or paths relative to the file's
// own folder (on disk or in a bucket) that must stay inside it. Absolute paths, "../" climbs and
// symlinks leading out are refused with an error naming the line.
import fs from 'node:fs/promises';
import path from 'node:path';
import { SkulensError, reasonOf } from '../../errors.js';
import { formatS3Uri, isS3Uri, parseS3Uri, resolveKeyInside, type S3Location, type S3Store } from '../../storage/index.js';
import { LIMITS } from '../limits.js';
import { identityOf, readChecked, type FileIdentity } from '../confined-read.js';

/** Where a CSV or manifest lives, which decides how its relative references resolve. */
export type RefBase =
  | { kind: 'local'; file: string; root: string; realRoot: string }
  | { kind: 's3'; file: string; bucket: string; folder: string };

/** A resolved reference: the name entries keep and a reader of its bytes. */
export interface ResolvedRef {
  ref: string;
  read(): Promise<Buffer>;
}

/** Reads one S3 object within the image size limit. */
export function s3Reader(store: () => S3Store, location: S3Location, known?: { etag: string; size: number }): () => Promise<Buffer> {
  return () => store().download(location, { known, maxBytes: LIMITS.maxFileBytes });
}

/**
 * Reads one local file as it was when listed: `real` (its real path) must still be the regular file of
 * `identity` (confined-read.ts); `file` names it in errors. Other failures are ERR_IMAGE_UNREADABLE.
 */
export function fileReader(file: string, real: string, identity: FileIdentity | undefined): () => Promise<Buffer> {
  return async () => {
    try {
      return await readChecked(real, { identity, maxBytes: LIMITS.maxFileBytes, shown: file });
    } catch (error) {
      if (error instanceof SkulensError) throw error;
      throw new SkulensError('ERR_IMAGE_UNREADABLE', { file, detail: reasonOf(error) }, { cause: error });
    }
  };
}

/** The base for a local CSV or manifest: its folder, symlinks resolved. */
export async function localBase(file: string): Promise<RefBase> {
  const root = path.dirname(path.resolve(file));
  return { kind: 'local', file: path.resolve(file), root, realRoot: await fs.realpath(root) };
}

/** The base for a CSV or manifest stored at `location`: its key's folder in the same bucket. */
export function s3Base(location: S3Location): RefBase {
  const slash = location.key.lastIndexOf('/');
  return { kind: 's3', file: formatS3Uri(location), bucket: location.bucket, folder: slash < 0 ? '' : location.key.slice(0, slash + 1) };
}

/** Resolves `ref` from line `line` of the file at `base`; throws ERR_DATASET_PATH_ESCAPES (or ERR_S3_URI_INVALID, ERR_PATH_NOT_FOUND). */
export async function resolveRef(base: RefBase, ref: string, line: number, store: () => S3Store): Promise<ResolvedRef> {
  if (isS3Uri(ref)) {
    const location = parseS3Uri(ref);
    return { ref: formatS3Uri(location), read: s3Reader(store, location) };
  }
  const root = base.kind === 'local' ? base.root : `s3://${base.bucket}/${base.folder}`;
  const escapes = (): SkulensError => new SkulensError('ERR_DATASET_PATH_ESCAPES', { file: base.file, line, path: ref, root });
  // Absolute paths, drive letters, UNC and URL-like refs (file:, http:) are never relative to the root.
  if (path.isAbsolute(ref) || /^[a-zA-Z]:[\\/]/.test(ref) || ref.startsWith('\\') || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(ref)) throw escapes();
  if (base.kind === 's3') {
    const key = resolveKeyInside(base.folder, ref.replaceAll('\\', '/'));
    if (key === null) throw escapes();
    const location = { bucket: base.bucket, key };
    return { ref: formatS3Uri(location), read: s3Reader(store, location) };
  }
  const resolved = path.resolve(base.root, ref);
  if (!inside(base.root, resolved)) throw escapes();
  let real: string;
  try {
    real = await fs.realpath(resolved);
  } catch (error) {
    throw new SkulensError('ERR_PATH_NOT_FOUND', { path: `${resolved} (line ${line} of ${base.file})` }, { cause: error });
  }
  // A path that looks inside but is (or passes through) a symlink leading out is refused too.
  if (!inside(base.realRoot, real)) throw escapes();
  return { ref: resolved, read: fileReader(resolved, real, await identityOf(real)) };
}

function inside(root: string, target: string): boolean {
  return target === root || target.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}
