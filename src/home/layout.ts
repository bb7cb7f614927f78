// Owns the file-system layout of a skulens home: where the database, image blobs, embedding cache,
// models and version artefacts live. Everything else asks this module for paths.
import os from 'node:os';
import path from 'node:path';

export interface HomeLayout {
  readonly root: string;
  readonly database: string;
  /** Content-addressed copies of imported images: blobs/ab/abcdef....jpg */
  readonly blobs: string;
  readonly embeddingCache: string;
  /** Objects downloaded from S3, keyed by bucket, key and ETag, so a re-import does not download again. */
  readonly s3Cache: string;
  readonly models: string;
  readonly projects: string;
  readonly tmp: string;
  /** Results of batches run by the server: batches/<id>/results.jsonl (or .csv). */
  readonly batches: string;
  /** The review loop: captured uncertain images (review/images/ab/<sha256>) and mislabelled rankings (review/rankings/<project>/<version>.json). */
  readonly review: string;
}

/** Resolves the home from an explicit option, then SKULENS_HOME, then ~/.skulens. */
export function resolveHome(explicit?: string, env: NodeJS.ProcessEnv = process.env): HomeLayout {
  const root = path.resolve(explicit ?? env.SKULENS_HOME ?? path.join(os.homedir(), '.skulens'));
  return {
    root,
    database: path.join(root, 'skulens.db'),
    blobs: path.join(root, 'blobs'),
    embeddingCache: path.join(root, 'cache', 'embeddings'),
    s3Cache: path.join(root, 'cache', 's3'),
    models: path.resolve(env.SKULENS_MODELS ?? path.join(root, 'models')),
    projects: path.join(root, 'projects'),
    tmp: path.join(root, 'tmp'),
    batches: path.join(root, 'batches'),
    review: path.join(root, 'review'),
  };
}

/** Path of an imported image blob, sharded by the first two hex digits of its sha256. */
export function blobPath(home: HomeLayout, sha256: string, extension: string): string {
  return path.join(home.blobs, sha256.slice(0, 2), `${sha256}.${extension}`);
}

/** Folder that holds one model version's immutable artefacts. */
export function versionDir(home: HomeLayout, project: string, versionName: string): string {
  return path.join(home.projects, project, 'versions', versionName);
}

/** The results file of server batch `id` (a UUID the server made, never a name from a request). */
export function batchResultsPath(home: HomeLayout, id: string, format: 'jsonl' | 'csv'): string {
  return path.join(home.batches, id, `results.${format}`);
}

/** A captured image of the review queue, by content hash (the bytes as sent; no extension). */
export function reviewImagePath(home: HomeLayout, sha256: string): string {
  return path.join(home.review, 'images', sha256.slice(0, 2), sha256);
}

/** The stored mislabelled ranking of one version of a project. */
export function reviewRankingPath(home: HomeLayout, project: string, versionName: string): string {
  return path.join(home.review, 'rankings', project, `${versionName}.json`);
}
