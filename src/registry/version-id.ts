// Version identifiers: the short form `<project>/v<N>` people type, and the Rekognition-style
// ProjectVersionArn that API clients pass around. Both name the same version.
import { SkulensError } from '../errors.js';
import type { Version } from './types.js';

export interface VersionRef {
  project: string;
  name: string;
}

const SHORT = /^([A-Za-z0-9][A-Za-z0-9._-]{0,63})\/(v\d+)$/;
const ARN = /^arn:aws:rekognition:[^:]*:[^:]*:project\/([A-Za-z0-9][A-Za-z0-9._-]{0,63})\/version\/(v\d+)\/\d+$/;

/** Parses `shoes/v3` or `arn:aws:rekognition:local:000000000000:project/shoes/version/v3/1732500000000`. */
export function parseVersionRef(text: string): VersionRef {
  const match = SHORT.exec(text) ?? ARN.exec(text);
  if (!match) throw new SkulensError('ERR_VERSION_ID_INVALID', { version: text });
  return { project: match[1] as string, name: match[2] as string };
}

/** The short id people type: `shoes/v3`. */
export function versionId(version: Pick<Version, 'project' | 'name'>): string {
  return `${version.project}/${version.name}`;
}

/** Rekognition-shaped ARN of a version; the region is `local` and the account all zeros. */
export function versionArn(version: Pick<Version, 'project' | 'name' | 'createdAt'>): string {
  return `arn:aws:rekognition:local:000000000000:project/${version.project}/version/${version.name}/${Date.parse(version.createdAt)}`;
}
