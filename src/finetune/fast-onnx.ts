// The fast path on the ONNX Runtime engine (src/engine): reads the cached activations, trains the members,
// writes the served graph and the trained blocks into the work folder, and computes the training side of
// the export check from float32 activations of the check images. Needs no Python.
import fs from 'node:fs/promises';
import path from 'node:path';
import { preprocess } from '../backbone/index.js';
import { cachedActivations, FeatureCache, runTraining, type EngineEvent, type TrainOutput } from '../engine/index.js';
import type { EngineOutcome, FastEngineInput } from './fast-engine.js';
import type { EngineMessage } from './protocol.js';

/** The engine's events as the protocol's messages (what progress bars and logs read). */
function asMessage(event: EngineEvent): EngineMessage {
  return event as EngineMessage;
}

/**
 * Trains with the ONNX Runtime engine.
 */
export async function trainWithOnnx(x: FastEngineInput): Promise<EngineOutcome> {
  const { spec, params } = x;
  const check = await Promise.all(x.check.map(async (image) => Float32Array.from((await preprocess(image, spec.input)).data)));
  const layout = x.heads ?? { kind: 'softmax' as const };
  const features = await FeatureCache.load(x.files, x.cut.shape as [number, number, number]);
  const result = await runTraining(
    {
      model: await fs.readFile(x.modelFile),
      input: spec.input.name,
      size: spec.input.size,
      tap: spec.tap,
      pool: spec.pool,
      dim: spec.dim,
      cut: x.cut,
      source: cachedActivations(features, params.flip),
      classes: x.labels.length,
      layout,
      labels: x.train.map((item) => item.label),
      targets: x.layout.targets,
      splits: x.splits,
      settings: { ...params, epochs: x.epochs, flipTest: x.flipTest, lrDecay: 1 },
      start: x.start && (await warmStart(x.start, x.labels)),
      threads: params.threads,
      device: params.device,
      deadline: x.deadline,
      check,
    },
    { signal: x.signal, onEvent: (event) => x.onMessage?.(asMessage(event)) },
  );
  return onnxOutcome(result, x.work, x.labels.length, x.cut, x.missing.length);
}

/** What the engine trained, written into the work folder as the driver reads an engine's outcome. */
export async function onnxOutcome(result: TrainOutput, work: string, K: number, cut: { tensor: string; shape: number[] }, computed: number): Promise<EngineOutcome> {
  const out = path.join(work, 'out');
  await fs.mkdir(out, { recursive: true });
  const onnxFile = path.join(out, 'model.onnx');
  const upperFile = path.join(out, 'upper.f32');
  await fs.writeFile(onnxFile, result.served.bytes);
  await fs.writeFile(upperFile, new Uint8Array(result.upper.buffer, result.upper.byteOffset, result.upper.byteLength));
  const dim = result.served.dim;
  const head = { kind: 'logistic' as const, dim, numClasses: K, weights: result.head.weights, bias: result.head.bias };
  const checkEmbeddings = new Float32Array(result.check.length * dim);
  const checkLogits = new Float32Array(result.check.length * K);
  result.check.forEach((e, i) => {
    checkEmbeddings.set(e, i * dim);
    for (let k = 0; k < K; k++) {
      let z = head.bias[k]!;
      for (let j = 0; j < dim; j++) z += head.weights[k * dim + j]! * e[j]!;
      checkLogits[i * K + k] = z;
    }
  });
  return {
    done: {
      type: 'fast-done',
      cut: cut.tensor,
      shape: cut.shape,
      computed,
      valAccuracy: result.valAccuracy,
      valLoss: result.valLoss,
      epochsRun: result.epochsRun,
      members: result.members,
      stoppedBy: result.stoppedBy,
      history: result.history,
      threads: result.threads,
      trainSeconds: result.trainSeconds,
      timings: result.timings,
      probeValAccuracy: result.probeValAccuracy,
      files: { model: 'model.onnx', head: '', upper: 'upper.f32', valLogits: '', checkEmbeddings: '', checkLogits: '' },
    },
    onnxFile,
    upperFile,
    head,
    valLogits: result.valLogits,
    checkEmbeddings,
    checkLogits,
    tap: { tap: result.served.tap, pool: result.served.pool },
  };
}

async function warmStart(start: NonNullable<FastEngineInput['start']>, labels: readonly string[]) {
  const bytes = await fs.readFile(start.upper);
  return {
    upper: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)),
    weights: start.head.weights,
    bias: start.head.bias,
    rows: labels.map((label) => start.labels.indexOf(label)),
  };
}
