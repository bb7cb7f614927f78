// Runs the unzip worker (unzip-worker.ts) for one uploaded zip and waits for it: the inflating, the
// checks and the writes all happen on that thread, so no upload holds up the requests this process serves.
import { Worker } from 'node:worker_threads';
import { SkulensError, ERRORS, type ErrorCode } from '../../errors.js';
import type { UploadBudget, UploadLease } from './upload-budget.js';
import { UPLOAD_OPERATION, type Drawn, type UnpackLimits } from './unpack-zip.js';
import type { UnzipJob, UnzipReply } from './unzip-worker.js';

const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The worker; under tsx (tests, `npm run skulens`) a bootstrap registers tsx in it first, as the embedder does. */
function newWorker(job: UnzipJob): Worker {
  if (!FROM_SOURCE) return new Worker(new URL('./unzip-worker.js', import.meta.url), { workerData: job });
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL('./unzip-worker.ts', import.meta.url).href);
  return new Worker(`import(${tsx}).then(({ register }) => { register(); return import(${entry}); })`, { eval: true, workerData: job });
}

/**
 * Unpacks `zip` into `dir` on a worker thread, in the budget's single lane; what it draws is added to
 * `lease` whether it succeeds or not.
 *
 * @returns what it listed and wrote.
 * @throws the worker's coded error (ERR_UPLOAD_TOO_MANY_ENTRIES, ERR_REQUEST_TOO_LARGE, ERR_UPLOAD_BUSY, ...).
 */
export function unpackInWorker(budget: UploadBudget, lease: UploadLease, zip: string, dir: string, limits: UnpackLimits, home: string): Promise<Drawn> {
  return budget.inLane(
    () =>
      new Promise<Drawn>((resolve, reject) => {
        const worker = newWorker({ zip, dir, limits, shared: budget.shared, home });
        let replied = false;
        worker.once('message', (reply: UnzipReply) => {
          replied = true;
          lease.drewInWorker(reply.drawn.bytes, reply.drawn.entries);
          if (!reply.error) return resolve(reply.drawn);
          const { code, details } = reply.error;
          reject(Object.hasOwn(ERRORS, code) ? new SkulensError(code as ErrorCode, details) : new SkulensError('ERR_MULTIPART_INVALID', { operation: UPLOAD_OPERATION, detail: reply.error.message }));
        });
        worker.once('error', (error) => reject(new SkulensError('ERR_MULTIPART_INVALID', { operation: UPLOAD_OPERATION, detail: `the unzip worker failed (${error.message})` }, { cause: error })));
        worker.once('exit', (code) => {
          if (!replied) reject(new SkulensError('ERR_MULTIPART_INVALID', { operation: UPLOAD_OPERATION, detail: `the unzip worker ended without a result (exit code ${code})` }));
        });
      }),
  );
}

/**
 * Removes an upload folder on a worker thread. fs.promises.rm would queue one unlink per file on libuv's
 * thread pool, where sharp decodes the detects' images: 60,000 files would hold them up for seconds.
 */
export function removeInWorker(dir: string): Promise<void> {
  return new Promise((resolve) => {
    const worker = new Worker("require('node:fs').rmSync(require('node:worker_threads').workerData, { recursive: true, force: true });", { eval: true, workerData: dir });
    worker.once('error', () => resolve());
    worker.once('exit', () => resolve());
  });
}
