// Worker thread body of the embedding pool: owns one backbone session and does the whole per-image
// job (decode, resize, scale, infer, pool, L2 norm) so both cores work on images, not just on models.
import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { isSkulensError } from '../errors.js';
import { preprocess } from './preprocess.js';
import { embedTensor, openSession } from './runtime.js';
import type { BackboneSpec } from './spec.js';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './worker-protocol.js';

const { spec, weightFiles } = workerData as WorkerSetup;
const port = parentPort!;

// One libvips thread per worker: the pool already puts one worker on each core.
sharp.concurrency(1);
sharp.cache(false);

function replyError(id: number, error: unknown, current: BackboneSpec): WorkerReply {
  if (isSkulensError(error)) return { id, ok: false, code: error.code, details: { ...error.details } };
  return { id, ok: false, code: 'ERR_BACKBONE_RUNTIME', details: { backbone: current.id, detail: error instanceof Error ? error.message : String(error) } };
}

try {
  const session = await openSession(spec, weightFiles);
  port.on('message', async (request: WorkerRequest) => {
    let reply: WorkerReply;
    try {
      const tensor = await preprocess(request.input, spec.input);
      const vector = await embedTensor(session, spec, tensor);
      reply = { id: request.id, ok: true, vector };
      port.postMessage(reply, [vector.buffer as ArrayBuffer]);
      return;
    } catch (error) {
      reply = replyError(request.id, error, spec);
    }
    port.postMessage(reply);
  });
  port.postMessage({ id: -1, ok: true, vector: new Float32Array(0) } satisfies WorkerReply);
} catch (error) {
  port.postMessage(replyError(-1, error, spec));
}
