// s3:// URIs: parsing, formatting and the relative-key arithmetic that manifests and CSVs stored in a
// bucket need (a ref resolves against the folder of the file that names it and may not climb out).
import path from 'node:path';
import { z } from 'zod';
import { SkulensError } from '../errors.js';

/** A bucket and a key (or key prefix) in it. */
export interface S3Location {
  bucket: string;
  key: string;
}

// S3's own bucket naming rules (3-63 lower-case letters, digits, dots and hyphens).
const BucketSchema = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'the bucket name must be 3-63 lower-case letters, digits, "." or "-"');

/** True when `text` looks like an s3:// URI (it may still be invalid). */
export function isS3Uri(text: string): boolean {
  return /^s3:\/\//i.test(text);
}

/**
 * Parses `s3://bucket/key` (or `s3://bucket/prefix/`, or `s3://bucket`).
 *
 * @example
 * parseS3Uri('s3://shop-photos/catalogue/train.manifest'); // { bucket: 'shop-photos', key: 'catalogue/train.manifest' }
 */
export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/]*)\/?(.*)$/i.exec(uri);
  if (!match) throw new SkulensError('ERR_S3_URI_INVALID', { uri, detail: 'it does not start with s3://' });
  const bucket = BucketSchema.safeParse(match[1]);
  if (!bucket.success) throw new SkulensError('ERR_S3_URI_INVALID', { uri, detail: bucket.error.issues[0]?.message ?? 'bad bucket' });
  const key = match[2] ?? '';
  if (key.split('/').some((part) => part === '..')) throw new SkulensError('ERR_S3_URI_INVALID', { uri, detail: 'the key may not contain ".." segments' });
  return { bucket: bucket.data, key };
}

export function formatS3Uri(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}

/** The "folder" of a key: everything up to and including its last slash ('' at the bucket root). */
export function keyFolder(key: string): string {
  const slash = key.lastIndexOf('/');
  return slash < 0 ? '' : key.slice(0, slash + 1);
}

/**
 * Resolves a relative `ref` against the folder `base` (ending in '/' or empty). Returns null when the
 * result would leave `base`, so a manifest in a bucket cannot name objects outside its own folder.
 */
export function resolveKeyInside(base: string, ref: string): string | null {
  if (ref.startsWith('/')) return null;
  const joined = path.posix.normalize(`${base}${ref}`);
  if (joined.startsWith('../') || joined === '..' || (base !== '' && !joined.startsWith(base))) return null;
  return joined;
}
