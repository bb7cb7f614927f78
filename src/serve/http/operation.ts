// The shape of one API operation (zod input and output schemas plus a handler) and what handlers
// get: the server's registry, home, model host and background work. Input is validated here, once.
import { z } from 'zod';
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
}

/** One operation, type-erased for the dispatch table. */
export interface Operation {
  readonly summary: string;
  readonly input: z.ZodType;
  readonly output: z.ZodType;
  run(ctx: ApiContext, body: unknown, name: string): Promise<unknown>;
}

/** Turns zod issues into one readable line naming each field. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(body)'}: ${issue.message}`).join('; ');
}

/** Defines an operation; its handler receives the parsed, typed input. */
export function operation<I extends z.ZodType, O extends z.ZodType>(spec: {
  summary: string;
  input: I;
  output: O;
  handle(ctx: ApiContext, input: z.output<I>): Promise<z.input<O>> | z.input<O>;
}): Operation {
  return {
    summary: spec.summary,
    input: spec.input,
    output: spec.output,
    async run(ctx, body, name) {
      const parsed = spec.input.safeParse(body ?? {});
      if (!parsed.success) throw new SkulensError('ERR_REQUEST_INVALID', { operation: name, detail: describeIssues(parsed.error) });
      return spec.handle(ctx, parsed.data);
    },
  };
}
