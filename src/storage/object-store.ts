// The only module that talks to S3: paginated listing, streamed downloads with bounded concurrency
// and a cache keyed by ETag under the home, and uploads for export.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SkulensError, reasonOf } from '../errors.js';
import type { HomeLayout } from '../home/index.js';
import { createS3Client, s3SettingsFromEnv } from './client.js';
import { Limiter } from './limiter.js';
import { formatS3Uri, type S3Location } from './s3-uri.js';

/** One listed object. */
export interface S3Object {
  key: string;
  size: number;
  etag: string;
}

export interface S3StoreOptions {
  /** Where downloaded objects are kept by ETag. */
  cacheDir: string;
  /** Where downloads are written before they are renamed into the cache (swept of dead writers' temps). */
  tmpDir: string;
  /** Downloads in flight at most; default 8. */
  concurrency?: number;
  /** Names the endpoint in cache keys, so two servers with the same bucket names do not share entries. */
  endpoint?: string;
}

/**
 * S3 access for datasets: list a prefix, download objects (streamed to disk, at most `concurrency` at
 * once, cached by ETag), upload exports.
 *
 * @example
 * const store = S3Store.fromEnv(home); // SKULENS_S3_ENDPOINT, AWS_ACCESS_KEY_ID, ...
 * for await (const object of store.list({ bucket: 'photos', key: 'shoes/' })) console.log(object.key);
 */
export class S3Store {
  private readonly limiter: Limiter;

  constructor(
    private readonly client: S3Client,
    private readonly options: S3StoreOptions,
  ) {
    this.limiter = new Limiter(options.concurrency ?? 8);
  }

  /** A store for the S3 the environment names, caching under `home`. */
  static fromEnv(home: HomeLayout, env: NodeJS.ProcessEnv = process.env, concurrency?: number): S3Store {
    const settings = s3SettingsFromEnv(env);
    return new S3Store(createS3Client(settings, env), { cacheDir: home.s3Cache, tmpDir: home.tmp, concurrency, endpoint: settings.endpoint ?? 'aws' });
  }

  /** Every object under `prefix`, page by page (`pageSize` keys a request, S3's maximum 1000 by default), in key order. */
  async *list(prefix: S3Location, pageSize = 1000): AsyncGenerator<S3Object> {
    let token: string | undefined;
    do {
      const page = await this.call('ListObjectsV2', prefix, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: prefix.bucket, Prefix: prefix.key, ContinuationToken: token, MaxKeys: pageSize })),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined) yield { key: object.Key, size: object.Size ?? 0, etag: object.ETag ?? '' };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** ETag and size of one object. */
  async head(location: S3Location): Promise<{ etag: string; size: number }> {
    const head = await this.call('HeadObject', location, () => this.client.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key })));
    return { etag: head.ETag ?? '', size: head.ContentLength ?? 0 };
  }

  /**
   * The bytes of one object. `known` (from a listing) saves a HEAD request; an object larger than
   * `maxBytes` is refused before (or while) it downloads. Served from the cache when its ETag matches.
   */
  async download(location: S3Location, options: { known?: { etag: string; size: number }; maxBytes?: number } = {}): Promise<Buffer> {
    return this.limiter.run(async () => {
      const { etag, size } = options.known ?? (await this.head(location));
      const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
      if (size > maxBytes) throw tooLarge(location, size, maxBytes);
      const cached = this.cachePath(location, etag);
      try {
        return await fsp.readFile(cached);
      } catch {
        // not cached yet
      }
      const temp = path.join(this.options.tmpDir, `.s3-${path.basename(cached)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      await fsp.mkdir(this.options.tmpDir, { recursive: true });
      try {
        await this.call('GetObject', location, async () => {
          const response = await this.client.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key, IfMatch: etag || undefined }));
          let seen = 0;
          const limit = new Transform({
            transform(chunk: Buffer, _encoding, done) {
              seen += chunk.length;
              done(seen > maxBytes ? tooLarge(location, seen, maxBytes) : null, chunk);
            },
          });
          await pipeline(response.Body as Readable, limit, fs.createWriteStream(temp));
        });
        await fsp.mkdir(path.dirname(cached), { recursive: true });
        // Rename is atomic: a killed download leaves a temp in tmp/ (swept later), never half a cache entry.
        await fsp.rename(temp, cached);
      } catch (error) {
        await fsp.rm(temp, { force: true });
        throw error;
      }
      return fsp.readFile(cached);
    });
  }

  /** Writes `body` to `location`. */
  async upload(location: S3Location, body: Uint8Array | string, contentType?: string): Promise<void> {
    await this.limiter.run(() =>
      this.call('PutObject', location, () => this.client.send(new PutObjectCommand({ Bucket: location.bucket, Key: location.key, Body: body, ContentType: contentType }))),
    );
  }

  destroy(): void {
    this.client.destroy();
  }

  private cachePath(location: S3Location, etag: string): string {
    const id = createHash('sha256').update(`${this.options.endpoint ?? ''}\n${location.bucket}\n${location.key}\n${etag}`).digest('hex');
    return path.join(this.options.cacheDir, id.slice(0, 2), id);
  }

  /** Runs one S3 call, turning SDK errors into coded SkulensErrors. */
  private async call<T>(operation: string, location: S3Location, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (error instanceof SkulensError) throw error;
      const uri = formatS3Uri(location);
      const name = (error as { name?: string }).name ?? '';
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404 || name === 'NoSuchKey' || name === 'NoSuchBucket' || name === 'NotFound') {
        throw new SkulensError('ERR_S3_NOT_FOUND', { uri, detail: name === 'NoSuchBucket' ? `bucket "${location.bucket}" does not exist` : 'no such object or prefix' }, { cause: error });
      }
      throw new SkulensError('ERR_S3_REQUEST_FAILED', { operation, uri, detail: `${name ? `${name}: ` : ''}${reasonOf(error)}` }, { cause: error });
    }
  }
}

function tooLarge(location: S3Location, bytes: number, max: number): SkulensError {
  return new SkulensError('ERR_S3_OBJECT_TOO_LARGE', { uri: formatS3Uri(location), bytes, max });
}
