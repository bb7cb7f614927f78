// Small wire conventions of the AWS JSON protocol: timestamps as epoch seconds and opaque pagination
// tokens. (ARNs are built and parsed in src/registry.)
import { SkulensError } from '../../errors.js';

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
