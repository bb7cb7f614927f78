// Rekognition-style ARNs of projects and datasets (version ARNs live in src/registry), and parsing
// of the references clients send: an ARN, or for convenience the plain project name.
import { SkulensError } from '../../errors.js';
import type { Project } from '../../registry/index.js';

const PREFIX = 'arn:aws:rekognition:local:000000000000';
const NAME = '([A-Za-z0-9][A-Za-z0-9._-]{0,63})';
const PROJECT_ARN = new RegExp(`^arn:aws:rekognition:[^:]*:[^:]*:project/${NAME}/\\d+$`);
const DATASET_ARN = new RegExp(`^arn:aws:rekognition:[^:]*:[^:]*:project/${NAME}/dataset/(train|test)/\\d+$`);
const PLAIN_NAME = new RegExp(`^${NAME}$`);

export type DatasetType = 'TRAIN' | 'TEST';

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

/** AWS JSON protocols send timestamps as epoch seconds. */
export function epochSeconds(iso: string | Date): number {
  return (typeof iso === 'string' ? Date.parse(iso) : iso.getTime()) / 1000;
}

/** Opaque pagination tokens: the offset of the next item. */
export function nextToken(offset: number, total: number): string | undefined {
  return offset < total ? Buffer.from(`o:${offset}`).toString('base64url') : undefined;
}

export function parseToken(token: string | undefined): number {
  if (token === undefined) return 0;
  const match = /^o:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'NextToken', detail: 'not a token from a previous response' });
  return Number(match[1]);
}
