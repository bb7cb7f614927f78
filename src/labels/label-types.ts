// Label types of a project and the grammar of attribute-group labels: a project is `single` (one label
// per photo, the default), `multi` (any number of labels per photo) or `groups` (labels written
// `group:value`, at most one value per group per photo). Pure: no I/O.
import { z } from 'zod';
import { SkulensError } from '../errors.js';

export const LABEL_TYPES = Object.freeze(['single', 'multi', 'groups'] as const);
export const LabelTypeSchema = z.enum(LABEL_TYPES);
export type LabelType = (typeof LABEL_TYPES)[number];

/** The value a group head predicts for a photo that carries no value of that group (a fruit has no brand). */
export const NONE_VALUE = '(none)';

/** Separator of several labels in one CSV cell (`brand:arla|type:milk`). */
export const LABEL_SEPARATOR = '|';

/** One attribute group of a `groups` project: its name and its values, in head order. */
export interface LabelGroup {
  name: string;
  /** Values as trained; NONE_VALUE last when some training photo lacks the group. */
  values: string[];
}

/**
 * Splits `group:value` at the first colon. @throws SkulensError ERR_LABEL_GROUP_INVALID when there is no
 * colon or either side is empty.
 */
export function parseGroupLabel(label: string): { group: string; value: string } {
  const at = label.indexOf(':');
  const group = at > 0 ? label.slice(0, at).trim() : '';
  const value = at > 0 ? label.slice(at + 1).trim() : '';
  if (group === '' || value === '') throw new SkulensError('ERR_LABEL_GROUP_INVALID', { label, detail: 'write it as group:value, e.g. brand:arla' });
  return { group, value };
}

/** The label of a group value as stored and answered (`brand:arla`). */
export const groupLabel = (group: string, value: string): string => `${group}:${value}`;

/**
 * The groups of a `groups` project from its photos' label sets. Groups are ordered from the fewest values
 * to the most (ties by name), so the composed name reads coarse to fine ("packages / arla / milk");
 * values are sorted; a group that some photo lacks gets NONE_VALUE as a last value.
 *
 * @throws SkulensError ERR_LABEL_GROUP_INVALID for a label without `group:` or a photo with two values of one group.
 */
export function groupsOf(photos: readonly (readonly string[])[]): LabelGroup[] {
  const values = new Map<string, Set<string>>();
  const present = new Map<string, number>();
  for (const labels of photos) {
    const seen = new Set<string>();
    for (const label of labels) {
      const { group, value } = parseGroupLabel(label);
      if (seen.has(group)) {
        throw new SkulensError('ERR_LABEL_GROUP_INVALID', { label, detail: `a photo carries two values of group "${group}" (${labels.filter((l) => l.startsWith(`${group}:`)).join(', ')}); a group takes one value per photo` });
      }
      seen.add(group);
      (values.get(group) ?? values.set(group, new Set()).get(group)!).add(value);
      present.set(group, (present.get(group) ?? 0) + 1);
    }
  }
  return [...values.entries()]
    .map(([name, set]) => ({ name, values: [...[...set].sort(), ...(present.get(name)! < photos.length ? [NONE_VALUE] : [])] }))
    .sort((a, b) => a.values.length - b.values.length || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
