// Synchronous ONNX Runtime sessions for small in-memory graphs (the head training's loss and gradient
// kernels in src/train). onnxruntime-node's public InferenceSession.run only wraps the native session's
// synchronous run in a promise; trainHead is synchronous, so this module calls the native session
// directly. It is tied to onnxruntime-node's internal binding (dist/binding, checked against 1.30), and
// is kept here, beside runtime-onnx.ts, so that the backbone domain stays ONNX Runtime's one owner.
import { createRequire } from 'node:module';
import { Tensor } from 'onnxruntime-node';

interface NativeSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: object): void;
  run(feeds: Record<string, Tensor>, fetches: Record<string, null>, options: object): Record<string, { data: Float32Array; dims: readonly number[] }>;
}
interface NativeBinding {
  binding: { InferenceSession: new () => NativeSession };
  initOrt(): void;
}

let native: NativeBinding | undefined;
function nativeBinding(): NativeBinding {
  native ??= createRequire(import.meta.url)('onnxruntime-node/dist/binding') as NativeBinding;
  native.initOrt();
  return native;
}

/** A float32 input: its values and dims. */
export type SyncFeed = { data: Float32Array; dims: readonly number[] };

/** A loaded graph whose `run` returns on the calling thread. */
export interface SyncOnnxSession {
  run(feeds: Record<string, SyncFeed>, outputs: readonly string[]): Record<string, Float32Array>;
}

/** Loads an ONNX model from bytes (CPU, all graph optimisations) with at most `threads` intra-op threads. */
export function openSyncOnnxSession(model: Uint8Array, threads: number): SyncOnnxSession {
  const session = new (nativeBinding().binding.InferenceSession)();
  session.loadModel(model.buffer, model.byteOffset, model.byteLength, { intraOpNumThreads: threads, graphOptimizationLevel: 'all' });
  return {
    run(feeds, outputs) {
      const tensors = Object.fromEntries(Object.entries(feeds).map(([name, f]) => [name, new Tensor('float32', f.data, f.dims)]));
      const out = session.run(tensors, Object.fromEntries(outputs.map((name) => [name, null])), {});
      return Object.fromEntries(outputs.map((name) => [name, out[name]!.data]));
    },
  };
}
