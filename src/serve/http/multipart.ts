// Reads multipart forms with busboy from bytes the auth hooks have already proven (a buffered body, or a
// spooled file): never from the live request. Each part reaches a callback in order; a file part's
// stream must be consumed by it. A malformed or truncated form is ERR_MULTIPART_INVALID.
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Busboy, type BusboyFileStream } from '@fastify/busboy';
import { SkulensError } from '../../errors.js';

export interface FormLimits {
  fileSize: number;
  files: number;
  fields: number;
  parts: number;
}

export interface FormHandlers {
  field(name: string, value: string): void | Promise<void>;
  /** Consumes `stream` (a file part truncated at `fileSize` has `stream.truncated` set once it ends). */
  file(name: string, filename: string, stream: BusboyFileStream): Promise<void>;
}

/**
 * Feeds `source` through busboy and runs the handlers one part after another.
 *
 * @throws SkulensError ERR_MULTIPART_INVALID (bad or truncated form), or what a handler throws.
 */
export async function readForm(headers: IncomingHttpHeaders, source: Readable, limits: FormLimits, handlers: FormHandlers, operation: string): Promise<void> {
  const invalid = (detail: string, cause?: unknown): SkulensError => new SkulensError('ERR_MULTIPART_INVALID', { operation, detail }, { cause });
  let parser: InstanceType<typeof Busboy>;
  try {
    parser = new Busboy({ headers: headers as IncomingHttpHeaders & { 'content-type': string }, limits });
  } catch (error) {
    throw invalid((error as Error).message, error);
  }
  // Parts are handled one at a time, in order (a "label" field applies to the photos after it).
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown;
  const enqueue = (work: () => Promise<void> | void): void => {
    chain = chain.then(async () => {
      if (failure === undefined) await work();
    }).catch((error: unknown) => {
      failure ??= error;
    });
  };
  // File parts not yet read to their end: a broken form ends them with its error, so no handler waits forever.
  const open = new Set<BusboyFileStream>();
  const finished = new Promise<void>((resolve, reject) => {
    const fail = (error: SkulensError): void => {
      failure ??= error;
      for (const stream of open) stream.destroy(error);
      reject(error);
    };
    parser.on('field', (name: string, value: string) => enqueue(() => handlers.field(name, value)));
    parser.on('file', (name: string, stream: BusboyFileStream, filename: string) => {
      open.add(stream);
      // Its errors reach the handler reading it (or the form's failure): none may go uncaught meanwhile.
      stream.on('error', () => undefined);
      stream.once('end', () => open.delete(stream));
      stream.once('close', () => open.delete(stream));
      stream.pause();
      enqueue(() => handlers.file(name, filename, stream));
      // A part left unread (after a failure) is drained so the form can finish.
      void chain.then(() => {
        if (failure !== undefined) stream.resume();
      });
    });
    parser.on('partsLimit', () => (failure ??= invalid(`more than ${limits.parts} parts`)));
    parser.on('filesLimit', () => (failure ??= invalid(`more than ${limits.files} files`)));
    parser.on('fieldsLimit', () => (failure ??= invalid(`more than ${limits.fields} fields`)));
    parser.on('finish', () => resolve());
    parser.on('error', (error: unknown) => fail(invalid((error as Error).message, error)));
    source.on('error', (error) => fail(invalid((error as Error).message, error)));
  });
  source.pipe(parser);
  try {
    await finished;
  } catch (error) {
    await chain;
    throw error;
  }
  await chain;
  if (failure !== undefined) throw failure;
}

/** Reads a whole file part into memory (it is at most `FormLimits.fileSize` bytes). */
export async function partBytes(stream: BusboyFileStream): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return { bytes: Buffer.concat(chunks), truncated: stream.truncated };
}
