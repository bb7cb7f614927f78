// One backbone session per worker: picks the runtime from the spec's table of openers and turns an
// input tensor into the pooled, L2-normalised embedding.
import { importOptional, OPTIONAL_PACKAGES } from './optional.js';
import type { InputTensor } from './preprocess.js';
import type { BackboneSpec } from './spec.js';
import { l2Normalise, meanPoolHw } from './vector.js';

/** A loaded model: raw output of the tapped tensor for one input. */
export interface BackboneSession {
  run(input: InputTensor): Promise<{ data: Float32Array; dims: readonly number[] }>;
  close(): Promise<void>;
}

type Opener = (spec: BackboneSpec, weightFiles: readonly string[]) => Promise<BackboneSession>;

// Imported lazily so a worker loads only the runtime its backbone needs.
const OPENERS: Readonly<Record<BackboneSpec['runtime'], () => Promise<Opener>>> = Object.freeze({
  onnx: async () => (await import('./runtime-onnx.js')).openOnnxSession,
  'tfjs-graph': async () => (await importOptional(() => import('./runtime-tfjs.js'), 'A TF.js backbone (centernet, COCO boxes)', OPTIONAL_PACKAGES.tfjs)).openTfjsSession,
});

/** Opens the session for `spec` from verified weight files. */
export async function openSession(spec: BackboneSpec, weightFiles: readonly string[]): Promise<BackboneSession> {
  return (await OPENERS[spec.runtime]())(spec, weightFiles);
}

/** Runs one input and returns the embedding: pooled as the spec says, checked for size, L2-normalised. */
export async function embedTensor(session: BackboneSession, spec: BackboneSpec, input: InputTensor): Promise<Float32Array> {
  const { data, dims } = await session.run(input);
  const pooled = spec.pool === 'mean-hw' ? meanPoolHw(data, dims, spec.input.layout) : data;
  if (pooled.length !== spec.dim) throw new Error(`tap "${spec.tap}" gave ${pooled.length} values (dims ${dims.join('x')}), expected ${spec.dim}`);
  // Copy so the vector owns a compact buffer that can be transferred between threads.
  return l2Normalise(Float32Array.from(pooled));
}
