// A project's capture setting for uncertain predictions (opt-in): the thresholds that make a served
// answer "uncertain", and the size cap and retention of the images kept for review. zod at the edge.
import { z } from 'zod';
import { SkulensError } from '../errors.js';
import type { Registry } from '../registry/index.js';

export const CaptureSettingsSchema = z.object({
  /** Off by default: nothing a project serves is kept unless its owner opts in. */
  enabled: z.boolean().default(false),
  /** Keep an answer whose top probability (0-1) is below this. */
  minConfidence: z.coerce.number().min(0).max(1).default(0.5),
  /** ... or whose margin (top minus second probability, 0-1) is below this. */
  minMargin: z.coerce.number().min(0).max(1).default(0.2),
  /** At most this many bytes of pending images per project; a capture that would pass it is not kept. */
  maxBytes: z.coerce.number().int().min(0).max(1024 ** 4).default(512 * 1024 ** 2),
  /** Pending captures older than this many days are dropped (image and row). */
  retentionDays: z.coerce.number().min(0).max(3650).default(30),
});
export type CaptureSettings = z.output<typeof CaptureSettingsSchema>;
export type CaptureSettingsInput = z.input<typeof CaptureSettingsSchema>;

/** The project's setting (defaults when never set: capture off). */
export function captureSettings(registry: Registry, projectId: number): CaptureSettings {
  return CaptureSettingsSchema.parse(registry.review.settings(projectId) ?? {});
}

/**
 * Changes some fields of a project's setting and returns the whole of it. Capture is for single-label
 * projects: a multi-label or groups answer has no one top label to confirm (ERR_LABEL_TYPE_UNSUPPORTED).
 */
export function updateCaptureSettings(registry: Registry, projectName: string, changes: CaptureSettingsInput): CaptureSettings {
  const project = registry.projects.get(projectName);
  const labelType = registry.projects.labelType(project.id);
  if (labelType !== 'single' && changes.enabled) {
    throw new SkulensError('ERR_LABEL_TYPE_UNSUPPORTED', { operation: 'Capturing uncertain predictions', labelType, project: projectName, detail: 'a review confirms one label per photo; use a single-label project' });
  }
  const merged = CaptureSettingsSchema.parse({ ...captureSettings(registry, project.id), ...stripUndefined(changes) });
  registry.review.setSettings(project.id, merged);
  return merged;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
