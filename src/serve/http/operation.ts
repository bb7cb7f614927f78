// The shape of one API operation (the least key role it needs, zod input and output schemas and a
// handler) and what handlers get: the server's registry, home, model host and background work, and the
// authenticated caller. Input is validated here, once; the role is checked before the body is parsed.
import { z } from 'zod';
import type { Caller, KeyRole } from '../../auth/index.js';
import { SkulensError } from '../../errors.js';
import type { GenericLabeller } from '../../generic/index.js';
import type { HomeLayout } from '../../home/index.js';
import type { Registry } from '../../registry/index.js';
import type { BackgroundWork } from '../background.js';
import type { ImportRoots } from '../import-roots.js';
import type { ModelHost } from '../model-host.js';

/** Generic labels, as src/generic provides them (opened lazily on the first call). */
export type GenericLabels = Pick<GenericLabeller, 'detectLabels' | 'detectModerationLabels' | 'close'>;

/** What every handler can use. */
export interface ApiContext {
  registry: Registry;
  home: HomeLayout;
  host: ModelHost;
  work: BackgroundWork;
  /** The folders requests may name (serve --import-root). */
  roots: ImportRoots;
  /** Whether CreateDataset can import s3:// sources. */
  importsS3: boolean;
  /** Reads an s3:// object, where an S3 store is configured. */
  readS3?: (bucket: string, key: string) => Promise<Uint8Array>;
  genericLabels?: () => Promise<GenericLabels>;
  /** A message as a key holder may read it: server paths rewritten (redact.ts). */
  shown(text: string): string;
}

/** One operation, type-erased for the dispatch table. */
export interface Operation {
  readonly summary: string;
  /** The least key role that may call it (docs/security.md has the matrix). */
  readonly role: KeyRole;
  readonly input: z.ZodType;
  readonly output: z.ZodType;
  run(ctx: ApiContext, body: unknown, name: string, caller: Caller): Promise<unknown>;
}

/** Turns zod issues into one readable line naming each field. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(body)'}: ${issue.message}`).join('; ');
}

/**
 * Defines an operation; its handler receives the parsed, typed input and the caller (whose key role the
 * server has already checked against `role`).
 *
 * @example
 * operation({ role: 'detect', summary: '...', input: z.object({}), output: z.object({}), handle: (ctx, input, caller) => ({}) });
 */
export function operation<I extends z.ZodType, O extends z.ZodType>(spec: {
  role: KeyRole;
  summary: string;
  input: I;
  output: O;
  handle(ctx: ApiContext, input: z.output<I>, caller: Caller): Promise<z.input<O>> | z.input<O>;
}): Operation {
  return Object.freeze({
    summary: spec.summary,
    role: spec.role,
    input: spec.input,
    output: spec.output,
    async run(ctx: ApiContext, body: unknown, name: string, caller: Caller) {
      const parsed = spec.input.safeParse(body ?? {});
      if (!parsed.success) throw new SkulensError('ERR_REQUEST_INVALID', { operation: name, detail: describeIssues(parsed.error) });
      return spec.handle(ctx, parsed.data, caller);
    },
  });
}
