// Names of registry things: the short version id `<project>/<version>` people type (`shoes/v3`,
// `shoes/2026-12-shoes`), and the Rekognition-style
// ARNs of projects, datasets and versions that API clients pass around. The one place they are built
// and parsed; resolving a name to a stored version is VersionRepository.resolve.
import { SkulensError } from '../errors.js';
import type { Project, Version } from './types.js';

export interface VersionRef {
  project: string;
  name: string;
}

export type DatasetType = 'TRAIN' | 'TEST';

const PREFIX = 'arn:aws:rekognition:local:000000000000';
const NAME = '([A-Za-z0-9][A-Za-z0-9._-]{0,63})';
const SHORT = new RegExp(`^${NAME}/${NAME}$`);
const VERSION_ARN = new RegExp(`^arn:aws:rekognition:[^:]*:[^:]*:project/${NAME}/version/${NAME}/(\\d+)$`);
const PROJECT_ARN = new RegExp(`^arn:aws:rekognition:[^:]*:[^:]*:project/${NAME}/\\d+$`);
const DATASET_ARN = new RegExp(`^arn:aws:rekognition:[^:]*:[^:]*:project/${NAME}/dataset/(train|test)/\\d+$`);
const PLAIN_NAME = new RegExp(`^${NAME}$`);
/** An automatic version name: `v` and the project's counter. */
const NUMBERED = /^v(\d+)$/;

/** True when `name` can name a version (and its folder): 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit. */
export function isVersionName(name: string): boolean {
  return PLAIN_NAME.test(name);
}

/** The number of an automatic name (`v12` -> 12), or undefined for a chosen name. */
export function versionNumber(name: string): number | undefined {
  const match = NUMBERED.exec(name);
  return match ? Number(match[1]) : undefined;
}

/**
 * Parses `shoes/v3`, `shoes/2026-12-shoes` or `arn:aws:rekognition:local:000000000000:project/shoes/version/v3/1732500000000`.
 * An ARN's creation time comes back as `createdMs`, so that a stale ARN can be told from its namesake.
 */
export function parseVersionRef(text: string): VersionRef & { createdMs?: number } {
  const short = SHORT.exec(text);
  if (short) return { project: short[1] as string, name: short[2] as string };
  const arn = VERSION_ARN.exec(text);
  if (!arn) throw new SkulensError('ERR_VERSION_ID_INVALID', { version: text });
  return { project: arn[1] as string, name: arn[2] as string, createdMs: Number(arn[3]) };
}

/** The short id people type: `shoes/v3` (or `shoes/<its VersionName>`). */
export function versionId(version: Pick<Version, 'project' | 'name'>): string {
  return `${version.project}/${version.name}`;
}

/** Rekognition-shaped ARN of a version; the region is `local` and the account all zeros. */
export function versionArn(version: Pick<Version, 'project' | 'name' | 'createdAt'>): string {
  return `${PREFIX}:project/${version.project}/version/${version.name}/${Date.parse(version.createdAt)}`;
}

export function projectArn(project: Pick<Project, 'name' | 'createdAt'>): string {
  return `${PREFIX}:project/${project.name}/${Date.parse(project.createdAt)}`;
}

/** A dataset is one side of a project's split; its ARN carries the project's creation time so it stays stable. */
export function datasetArn(project: Pick<Project, 'name' | 'createdAt'>, type: DatasetType): string {
  return `${PREFIX}:project/${project.name}/dataset/${type.toLowerCase()}/${Date.parse(project.createdAt)}`;
}

/** The project name in a ProjectArn (or a plain project name). */
export function parseProjectArn(text: string, field = 'ProjectArn'): string {
  const match = PROJECT_ARN.exec(text) ?? PLAIN_NAME.exec(text);
  if (!match) throw new SkulensError('ERR_ARGUMENT_INVALID', { field, detail: `"${text}" is not a project ARN (${PREFIX}:project/<name>/<ms>) or name` });
  return match[1] as string;
}

export function parseDatasetArn(text: string, field = 'DatasetArn'): { project: string; type: DatasetType } {
  const match = DATASET_ARN.exec(text);
  if (!match) throw new SkulensError('ERR_ARGUMENT_INVALID', { field, detail: `"${text}" is not a dataset ARN (${PREFIX}:project/<name>/dataset/<train|test>/<ms>)` });
  return { project: match[1] as string, type: (match[2] as string).toUpperCase() as DatasetType };
}
