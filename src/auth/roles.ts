// Key roles from least to most: detect (what a storefront calls), train (also projects, datasets,
// photos, versions, batches), admin (also keys). Each route declares the least role it needs.
import { z } from 'zod';
import { SkulensError } from '../errors.js';
import type { KeyRole } from '../registry/index.js';

export type { KeyRole };

/** Who may call a route: anyone (`public`), or a key of this role or above. */
export type RouteRole = KeyRole | 'public';

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

/** True when a key of role `held` may do what `needed` allows. */
export function roleAllows(held: KeyRole, needed: KeyRole): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

/** Throws ERR_ROLE_REQUIRED (AccessDeniedException) unless `held` covers `needed`. */
export function requireRole(held: KeyRole, needed: KeyRole, operation: string): void {
  if (!roleAllows(held, needed)) throw new SkulensError('ERR_ROLE_REQUIRED', { operation, role: needed, current: held });
}
