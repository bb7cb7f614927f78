// Entry of the unzip worker thread: unpacks one uploaded zip (unpack-zip.ts) off the server's event loop,
// drawing on the server's shared upload budget, and reports what it wrote and drew, or the coded error.
import { parentPort, workerData } from 'node:worker_threads';
import { SkulensError } from '../../errors.js';
import { drawShared, type SharedBudget } from './upload-budget.js';
import { unpackZipFile, type Drawn, type UnpackLimits } from './unpack-zip.js';

export interface UnzipJob {
  zip: string;
  dir: string;
  limits: UnpackLimits;
  shared: SharedBudget;
  /** The home, asked whether it is read-only or full when a write fails without saying. */
  home: string;
}

export type UnzipReply = { drawn: Drawn; error?: { code: string; details: Record<string, unknown>; message: string } };

const job = workerData as UnzipJob;
const drawn: Drawn = { bytes: 0, entries: 0, files: 0, listed: 0 };
let reply: UnzipReply;
try {
  unpackZipFile(job.zip, job.dir, job.limits, (bytes, entries) => drawShared(job.shared, bytes, entries), drawn, { root: job.home });
  reply = { drawn };
} catch (error) {
  const coded = error instanceof SkulensError ? error : undefined;
  reply = { drawn, error: coded ? { code: coded.code, details: JSON.parse(JSON.stringify(coded.details)) as Record<string, unknown>, message: coded.message } : { code: 'ERR_MULTIPART_INVALID', details: {}, message: (error as Error).message } };
}
parentPort!.postMessage(reply);
