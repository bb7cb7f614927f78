// Writes a request's raw body to a file while hashing it, within a byte limit and the server's upload
// budget: what a streaming route does before anything of its body is parsed.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { Transform } from 'node:stream';
import { SkulensError } from '../../errors.js';
import type { UploadLease } from './upload-budget.js';

export interface Spooled {
  file: string;
  bytes: number;
  sha256: string;
}

/**
 * Spools `source` to `file` (created, never replaced).
 *
 * @throws SkulensError ERR_REQUEST_TOO_LARGE past `maxBytes`, ERR_UPLOAD_BUSY when the budget is spent,
 *   ERR_MULTIPART_INVALID when the client stops sending; file system errors as they come.
 */
export async function spoolBody(source: NodeJS.ReadableStream, file: string, maxBytes: number, lease: UploadLease, operation: string): Promise<Spooled> {
  const hash = createHash('sha256');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > maxBytes) return callback(new SkulensError('ERR_REQUEST_TOO_LARGE', { operation, detail: `the body is over ${maxBytes} bytes` }));
      try {
        lease.draw(chunk.length);
      } catch (error) {
        return callback(error as Error);
      }
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  // Not stream.pipeline: on a failure the request is left alone (not destroyed), so the error still
  // reaches the client; the server closes the connection after that answer (server.ts, onSend).
  await new Promise<void>((resolve, reject) => {
    const out = fs.createWriteStream(file, { flags: 'wx' });
    let failed = false;
    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      source.unpipe(meter);
      meter.unpipe(out);
      out.destroy();
      const code = (error as NodeJS.ErrnoException).code;
      reject(
        error instanceof SkulensError || code !== 'ECONNRESET'
          ? error
          : new SkulensError('ERR_MULTIPART_INVALID', { operation, detail: 'the body ended before it was complete' }, { cause: error }),
      );
    };
    meter.once('error', fail);
    out.once('error', fail);
    source.once('error', fail);
    source.once('aborted', () => fail(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
    out.once('finish', () => (failed ? undefined : resolve()));
    source.pipe(meter).pipe(out);
  });
  return { file, bytes, sha256: hash.digest('hex') };
}
