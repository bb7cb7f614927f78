// Writes a request's raw body to a file while hashing it, within a byte limit and the server's upload
// budget: what a streaming route does before anything of its body is parsed.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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
  try {
    await pipeline(source, meter, fs.createWriteStream(file, { flags: 'wx' }));
  } catch (error) {
    if (error instanceof SkulensError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'ERR_STREAM_DESTROYED') {
      throw new SkulensError('ERR_MULTIPART_INVALID', { operation, detail: 'the body ended before it was complete' }, { cause: error });
    }
    throw error;
  }
  return { file, bytes, sha256: hash.digest('hex') };
}
