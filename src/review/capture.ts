// Keeps served predictions a model doubts, for a person to answer: when the project opted in and the
// top probability or the margin falls below its setting, the image is stored by content hash under the
// home's review folder and queued with the answer it got. The retention period is applied first, then
// the size cap (a capture that would pass it is not kept). No image is kept for a project that did not opt in.
import fs from 'node:fs/promises';
import path from 'node:path';
import { sha256Hex } from '../dataset/index.js';
import { reviewImagePath, writeFileAtomic, type HomeLayout } from '../home/index.js';
import type { Registry, UncertainPrediction, Version } from '../registry/index.js';
import { captureSettings, type CaptureSettings } from './settings.js';

/** How sure an answer was: top probability, margin over the second, and the label it leaned to. */
export interface Certainty {
  topLabel: string | null;
  confidence: number;
  margin: number;
}

/** Top probability and margin of one probability vector (label order). */
export function certaintyOf(labels: readonly string[], probs: ArrayLike<number>): Certainty {
  let first = -1;
  let second = -1;
  for (let i = 0; i < probs.length; i++) {
    if (first < 0 || probs[i]! > probs[first]!) {
      second = first;
      first = i;
    } else if (second < 0 || probs[i]! > probs[second]!) second = i;
  }
  const top = first < 0 ? 0 : probs[first]!;
  const next = second < 0 ? 0 : probs[second]!;
  return { topLabel: first < 0 ? null : labels[first]!, confidence: top, margin: top - next };
}

/** Whether an answer is uncertain under `settings`. */
export function isUncertain(certainty: Certainty, settings: CaptureSettings): boolean {
  return certainty.confidence < settings.minConfidence || certainty.margin < settings.minMargin;
}

export type CaptureOutcome = 'captured' | 'certain' | 'off' | 'known' | 'full';

/** Drops pending captures older than the retention period (rows and images). Returns how many went. */
export async function applyRetention(registry: Registry, home: HomeLayout, projectId: number, settings: CaptureSettings, at = Date.now()): Promise<number> {
  const before = new Date(at - settings.retentionDays * 86_400_000).toISOString();
  const expired = registry.review.pendingBefore(projectId, before);
  registry.review.delete(expired.map((p) => p.id));
  for (const item of expired) await dropImage(registry, home, item);
  return expired.length;
}

/** Removes a capture's stored image once no capture names it any more. */
export async function dropImage(registry: Registry, home: HomeLayout, item: Pick<UncertainPrediction, 'file'>): Promise<void> {
  if (!registry.review.fileInUse(item.file)) await fs.rm(path.resolve(home.root, item.file), { force: true });
}

/**
 * Keeps one served answer for review when the project opted in and it is uncertain.
 *
 * @example
 * await captureIfUncertain(registry, home, version, { bytes, source: 'DetectCustomLabels', labels, probs, answer: CustomLabels });
 */
export async function captureIfUncertain(
  registry: Registry,
  home: HomeLayout,
  version: Version,
  served: { bytes: Uint8Array; source: string; labels: readonly string[]; probs: ArrayLike<number>; answer: unknown },
  at = Date.now(),
): Promise<CaptureOutcome> {
  const settings = captureSettings(registry, version.projectId);
  if (!settings.enabled) return 'off';
  const certainty = certaintyOf(served.labels, served.probs);
  if (!isUncertain(certainty, settings)) return 'certain';
  await applyRetention(registry, home, version.projectId, settings, at);
  if (registry.review.totals(version.projectId).bytes + served.bytes.byteLength > settings.maxBytes) return 'full';
  const sha256 = sha256Hex(served.bytes);
  const file = reviewImagePath(home, sha256);
  const relative = path.relative(home.root, file).split(path.sep).join('/');
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, served.bytes);
  const queued = registry.review.capture(
    version.projectId,
    { version: version.name, sha256, file: relative, bytes: served.bytes.byteLength, source: served.source, ...certainty, uncertainty: 1 - certainty.margin, answer: served.answer },
    new Date(at).toISOString(),
  );
  return queued ? 'captured' : 'known';
}
