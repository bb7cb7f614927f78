// The review queue of uncertain predictions: a person confirms the label the model leaned to, corrects
// it, or dismisses the photo. A confirmed or corrected photo joins the training set as a new entry whose
// source and metadata say it came from the queue (and which version answered); the change is recorded.
import fs from 'node:fs/promises';
import path from 'node:path';
import { SkulensError } from '../errors.js';
import { inspectImage, labelProblem } from '../dataset/index.js';
import { blobPath, writeFileAtomic, type HomeLayout } from '../home/index.js';
import type { Entry, Registry, UncertainPrediction } from '../registry/index.js';
import { applyRetention, dropImage } from './capture.js';
import { captureSettings } from './settings.js';

export type ReviewAnswer = { action: 'confirm' } | { action: 'correct'; label: string } | { action: 'dismiss' };

/** The pending queue of a project, most uncertain first (expired captures dropped first). */
export async function reviewQueue(registry: Registry, home: HomeLayout, projectName: string, options: { limit?: number; offset?: number } = {}): Promise<UncertainPrediction[]> {
  const project = registry.projects.get(projectName);
  await applyRetention(registry, home, project.id, captureSettings(registry, project.id));
  return registry.review.list(project.id, options);
}

/**
 * Answers one queued prediction. Returns the item as resolved and, for confirm/correct, the training
 * entry it became.
 */
export async function answerReview(
  registry: Registry,
  home: HomeLayout,
  projectName: string,
  id: number,
  answer: ReviewAnswer,
  actor: string,
): Promise<{ item: UncertainPrediction; entry: Entry | null }> {
  const project = registry.projects.get(projectName);
  const item = registry.review.get(project.id, id);
  if (item.status !== 'pending') {
    throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'item', detail: `review item ${id} was already ${item.status} by ${item.resolvedBy}` });
  }
  if (answer.action === 'dismiss') {
    const resolved = registry.review.resolve(project.id, id, 'dismissed', null, actor);
    await dropImage(registry, home, resolved);
    return { item: resolved, entry: null };
  }
  const label = answer.action === 'confirm' ? item.topLabel : answer.label.trim();
  if (label === null) throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'label', detail: 'the model gave no label to confirm; correct it with a label instead' });
  const problem = labelProblem(label);
  if (problem) throw new SkulensError('ERR_LABEL_INVALID', { label, detail: problem });
  const bytes = await fs.readFile(path.resolve(home.root, item.file));
  const facts = await inspectImage(bytes, `review item ${id}`);
  const blob = blobPath(home, facts.sha256, facts.format === 'jpeg' ? 'jpg' : facts.format);
  // The blob is written before its entry (as an import does), so an entry never lacks its image.
  await writeFileAtomic(blob, bytes);
  const entry = registry.entries.addReviewed(
    project.id,
    {
      sha256: facts.sha256,
      blob: path.relative(home.root, blob).split(path.sep).join('/'),
      source: `review:${item.id} (${item.source})`,
      label,
      split: 'train',
      splitOrigin: 'given',
      format: facts.format,
      width: facts.width,
      height: facts.height,
      bytes: facts.bytes,
      dhash: facts.dhash,
      metadata: { origin: 'uncertain-prediction', version: item.version, answered: answer.action, modelLabel: item.topLabel ?? '' },
    },
    { actor, origin: 'uncertain' },
  );
  const resolved = registry.review.resolve(project.id, id, answer.action === 'confirm' ? 'confirmed' : 'corrected', label, actor);
  await dropImage(registry, home, resolved);
  return { item: resolved, entry };
}
