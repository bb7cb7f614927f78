// The embedding pool: worker threads, each with one backbone session on one core, fed from a queue
// by the main thread. A bad image fails only its own call; a crashed worker is replaced.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { SkulensError } from '../errors.js';
import type { EmbedInput } from './preprocess.js';
import { verifiedWeights } from './registry.js';
import type { BackboneSpec } from './spec.js';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './worker-protocol.js';

/** A running embedding pool for one backbone. */
export interface Embedder {
  readonly spec: BackboneSpec;
  /** Number of worker threads (one session each). */
  readonly workers: number;
  /** L2-normalised embedding of one image, `spec.dim` long. Rejects with ERR_IMAGE_UNREADABLE naming the file. */
  embed(input: EmbedInput): Promise<Float32Array>;
  /** Stops the workers; pending calls reject with ERR_BACKBONE_RUNTIME. */
  close(): Promise<void>;
  /** Images embedded so far by each live worker (for progress lines, benchmarks and tests). */
  stats(): { threadId: number; embedded: number }[];
}

/** Options of {@link openEmbedder}. */
export interface EmbedderOptions {
  modelsDir: string;
  /** Worker threads; default min(2, available cores). */
  workers?: number;
}

interface Job {
  id: number;
  input: EmbedInput;
  resolve(vector: Float32Array): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  job?: Job;
  embedded: number;
}

const FROM_SOURCE = import.meta.url.endsWith('.ts');

/**
 * Creates one worker. From dist/ this is plain worker.js. Under tsx (tests, `npm run skulens`) the source
 * is worker.ts, and on Node 20 a worker does not get the `--import tsx` hooks of its parent, so a tiny
 * bootstrap registers tsx in the worker before importing it.
 */
function newWorker(setup: WorkerSetup): Worker {
  if (!FROM_SOURCE) return new Worker(new URL('./worker.js', import.meta.url), { workerData: setup });
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL('./worker.ts', import.meta.url).href);
  const bootstrap = `import(${tsx}).then(({ register }) => { register(); return import(${entry}); })`;
  return new Worker(bootstrap, { eval: true, workerData: setup });
}

/**
 * Starts a pool of embedding workers for `spec`, after checking its weights.
 *
 * @example
 * const embedder = await openEmbedder(getBackbone(DEFAULT_BACKBONE_ID, home.models), { modelsDir: home.models });
 * try { const v = await embedder.embed({ path: 'shoe.jpg' }); } finally { await embedder.close(); }
 * @throws SkulensError ERR_BACKBONE_MISSING / ERR_BACKBONE_CHECKSUM (weights), ERR_BACKBONE_RUNTIME (model did not load).
 */
export async function openEmbedder(spec: BackboneSpec, options: EmbedderOptions): Promise<Embedder> {
  const count = options.workers ?? Math.min(2, os.availableParallelism());
  if (!Number.isInteger(count) || count < 1 || count > 64) throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'workers', detail: `${count}; use 1-64` });
  const setup: WorkerSetup = { spec, weightFiles: await verifiedWeights(spec, options.modelsDir) };
  const pool = new Pool(spec, setup);
  await pool.start(count);
  return pool;
}

class Pool implements Embedder {
  readonly workers: number = 0;
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private nextId = 0;
  private closed = false;
  private broken?: Error;

  constructor(
    readonly spec: BackboneSpec,
    private readonly setup: WorkerSetup,
  ) {}

  async start(count: number): Promise<void> {
    (this as { workers: number }).workers = count;
    const started = await Promise.allSettled(Array.from({ length: count }, () => this.spawn()));
    const failure = started.find((result) => result.status === 'rejected');
    if (failure) {
      await this.close();
      throw failure.reason;
    }
  }

  embed(input: EmbedInput): Promise<Float32Array> {
    if (this.closed || this.broken) return Promise.reject(this.broken ?? this.runtimeError('the embedder is closed'));
    if (input.path === undefined && input.bytes === undefined) {
      return Promise.reject(new SkulensError('ERR_ARGUMENT_INVALID', { field: 'input', detail: 'give a path or bytes' }));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, input, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const error = this.runtimeError('the embedder was closed');
    for (const job of this.queue.splice(0)) job.reject(error);
    const slots = [...this.slots];
    this.slots.clear();
    for (const slot of slots) slot.job?.reject(error);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  stats(): { threadId: number; embedded: number }[] {
    return [...this.slots].map((slot) => ({ threadId: slot.worker.threadId, embedded: slot.embedded }));
  }

  private runtimeError(detail: string, cause?: unknown): SkulensError {
    return new SkulensError('ERR_BACKBONE_RUNTIME', { backbone: this.spec.id, detail }, { cause });
  }

  /** Starts one worker; resolves once its session is loaded. */
  private spawn(): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = newWorker(this.setup);
      const slot: Slot = { worker, embedded: 0 };
      let ready = false;
      worker.on('message', (reply: WorkerReply) => {
        if (!ready) {
          ready = true;
          if (reply.ok) {
            if (this.closed) return void worker.terminate().then(() => resolve());
            this.slots.add(slot);
            resolve();
            this.dispatch();
          } else {
            void worker.terminate();
            reject(new SkulensError(reply.code, reply.details));
          }
          return;
        }
        const job = slot.job;
        slot.job = undefined;
        if (job && job.id === reply.id) {
          if (reply.ok) {
            slot.embedded += 1;
            job.resolve(reply.vector);
          } else job.reject(new SkulensError(reply.code, reply.details));
        }
        this.dispatch();
      });
      const lost = (detail: string, cause?: unknown): void => {
        if (!this.slots.delete(slot) && ready) return; // already handled (error then exit)
        const error = this.runtimeError(detail, cause);
        if (!ready) {
          ready = true;
          reject(error);
          return;
        }
        slot.job?.reject(error);
        slot.job = undefined;
        if (!this.closed) this.replace();
      };
      worker.on('error', (error) => lost(`worker crashed: ${error.message}`, error));
      worker.on('exit', (code) => lost(`worker exited with code ${code}`));
    });
  }

  /** Spawns a replacement for a crashed worker; if even that fails, the pool is broken and says why. */
  private replace(): void {
    this.spawn().catch((error: Error) => {
      if (this.slots.size > 0 || this.closed) return;
      this.broken = error;
      for (const job of this.queue.splice(0)) job.reject(error);
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.job) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      const request: WorkerRequest = { id: job.id, input: job.input };
      slot.worker.postMessage(request);
    }
  }
}
