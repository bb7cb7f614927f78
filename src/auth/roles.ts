// Key roles and what each may call: detect (Detect*, Describe*, List*), train (also datasets, versions,
// batches), admin (also keys). A frozen table, checked once per request by the server.
import { z } from 'zod';
import { SkulensError } from '../errors.js';
import type { KeyRole } from '../registry/index.js';

export type { KeyRole };

/** Roles from least to most: each may do what the ones before it may. */
export const ROLES: readonly KeyRole[] = Object.freeze(['detect', 'train', 'admin'] as const);
export const DEFAULT_ROLE: KeyRole = 'detect';

export const RoleSchema = z.enum(['admin', 'train', 'detect']);

/** Parses a role name; anything else is ERR_ROLE_INVALID. */
export function parseRole(text: string): KeyRole {
  const parsed = RoleSchema.safeParse(text);
  if (!parsed.success) throw new SkulensError('ERR_ROLE_INVALID', { role: text });
  return parsed.data;
}

/** Read operations that show what people sent or corrected (captured photos' answers), so not for detect keys. */
const TRAIN_READS: ReadonlySet<string> = new Set(['ListUncertainPredictions', 'ListDatasetEntryChanges']);

/** The least role that may call the Rekognition-style operation `name`. */
export function roleForOperation(name: string): KeyRole {
  return /^(Detect|Describe|List)/.test(name) && !TRAIN_READS.has(name) ? 'detect' : 'train';
}

/** True when a key of role `held` may do what `needed` allows. */
export function roleAllows(held: KeyRole, needed: KeyRole): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

/** Throws ERR_ROLE_REQUIRED (AccessDeniedException) unless `held` covers `needed`. */
export function requireRole(held: KeyRole, needed: KeyRole, operation: string): void {
  if (!roleAllows(held, needed)) throw new SkulensError('ERR_ROLE_REQUIRED', { operation, role: needed, current: held });
}
