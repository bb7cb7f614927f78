// Embedding cache on disk: one raw float32 file per (backbone, image sha256), so an image is embedded
// once per backbone however many projects, trainings and evaluations use it.
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { AugmentView } from '../augment/index.js';
import { SkulensError } from '../errors.js';
import { writeFileAtomic } from '../home/index.js';
import type { Embedder } from './embedder.js';
import type { BackboneSpec } from './spec.js';

/** An image's sha256, optionally followed by `.<viewKey>` for an augmented view of it. */
const SHA256 = /^[0-9a-f]{64}(\.[a-z0-9-]{1,32})?$/;
const ID = /^[a-z0-9][a-z0-9._@-]{0,80}$/;

/**
 * Embeddings stored as `<dir>/<backboneId>/<sha[0:2]>/<sha>.f32`: the vector's float32 values,
 * little-endian (the byte order of every platform Node runs skulens on), written atomically.
 */
export class EmbeddingCache {
  constructor(readonly dir: string) {}

  /** Path of one cached vector. */
  pathOf(backboneId: string, sha256: string): string {
    if (!ID.test(backboneId)) throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'backboneId', detail: JSON.stringify(backboneId) });
    if (!SHA256.test(sha256)) throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'sha256', detail: `${JSON.stringify(sha256)} is not 64 lower-case hex digits` });
    return path.join(this.dir, backboneId, sha256.slice(0, 2), `${sha256}.f32`);
  }

  /** The stored vector, or undefined when absent (or unreadable, which counts as absent). */
  async get(backboneId: string, sha256: string): Promise<Float32Array | undefined> {
    let bytes: Buffer;
    try {
      bytes = await fsp.readFile(this.pathOf(backboneId, sha256));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    if (bytes.byteLength === 0 || bytes.byteLength % 4 !== 0) return undefined;
    // Copy into a fresh, aligned buffer (Buffer pools may not be 4-byte aligned).
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }

  /** Stores a vector (atomically: readers see the old file or the whole new one). */
  async set(backboneId: string, sha256: string, vector: Float32Array): Promise<void> {
    await writeFileAtomic(this.pathOf(backboneId, sha256), new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength));
  }
}

/** Options of {@link embedWithCache}. */
export interface EmbedWithCacheOptions {
  onProgress?(done: number, total: number, cached: number): void;
  /** Stops starting new images; the call rejects with the signal's reason once in-flight ones settle. */
  signal?: AbortSignal;
  /** When given, an unreadable image (ERR_IMAGE_UNREADABLE) is reported here and left out of the result instead of failing the call. */
  onError?(item: { sha256: string; path: string }, error: Error): void;
}

/**
 * The cache folder of a backbone: its id, plus the first 12 hex digits of its pinned weights' sha256
 * when it has one, so that new weights under an old id never meet vectors of the old ones.
 */
export function cacheKeyOf(spec: BackboneSpec): string {
  return spec.weights.source === 'file' && spec.weights.sha256 ? `${spec.id}@${spec.weights.sha256.slice(0, 12)}` : spec.id;
}

/**
 * Embeddings of many images keyed by sha256 (`<sha256>.<viewKey>` for an item with a view), reading the cache first and embedding only the rest
 * (about two images in flight per worker, so no worker waits for the main thread), caching each new one.
 *
 * @example
 * const vectors = await embedWithCache(embedder, new EmbeddingCache(home.embeddingCache), images,
 *   { onProgress: (done, total) => bar.update(done, { total }) });
 */
export async function embedWithCache(
  embedder: Embedder,
  cache: EmbeddingCache,
  items: { sha256: string; path: string; view?: AugmentView }[],
  options: EmbedWithCacheOptions = {},
): Promise<Map<string, Float32Array>> {
  const { signal, onProgress, onError } = options;
  signal?.throwIfAborted();
  const backboneId = cacheKeyOf(embedder.spec);
  // An augmented view is its own cache entry, `<sha256>.<viewKey>`, and its own key in the result.
  const keyed = items.map((item) => ({ ...item, sha256: item.view ? `${item.sha256}.${item.view.key}` : item.sha256 }));
  const unique = [...new Map(keyed.map((item) => [item.sha256, item])).values()];
  const result = new Map<string, Float32Array>();
  const todo: { sha256: string; path: string; view?: AugmentView }[] = [];
  for (const item of unique) {
    const hit = await cache.get(backboneId, item.sha256);
    if (hit && hit.length === embedder.spec.dim) result.set(item.sha256, hit);
    else todo.push(item);
  }
  const cached = result.size;
  let done = cached;
  onProgress?.(done, unique.length, cached);

  let next = 0;
  let failure: unknown;
  const lane = async (): Promise<void> => {
    while (next < todo.length && failure === undefined && !signal?.aborted) {
      const item = todo[next++]!;
      try {
        const vector = await embedder.embed(item.view ? { path: item.path, view: item.view } : { path: item.path });
        await cache.set(backboneId, item.sha256, vector);
        result.set(item.sha256, vector);
      } catch (error) {
        if (onError && error instanceof SkulensError && error.code === 'ERR_IMAGE_UNREADABLE') onError(item, error);
        else failure ??= error;
      }
      done += 1;
      onProgress?.(done, unique.length, cached);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, embedder.workers * 2) }, lane));
  signal?.throwIfAborted();
  if (failure !== undefined) throw failure;
  return result;
}
