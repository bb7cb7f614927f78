// The end of every run of the engine (the fast path and the fine-tune, either engine): the served graph
// as a backbone row, the evaluated images served through onnxruntime as a started version would serve
// them, the export check against what training computed, and thresholds from the held-out photos.
import fs from 'node:fs/promises';
import { backboneSpecSchema, openEmbedder, type BackboneSpec, type EmbedInput } from '../backbone/index.js';
import { sha256Hex } from '../dataset/index.js';
import type { HomeLayout } from '../home/index.js';
import type { EngineOutcome } from './fast-engine.js';
import type { FastRunInput, FastRunOptions, FastRunResult } from './fast.js';
import { heldOutFit, type MemberSplit } from './fast-validation.js';
import { checkExport } from './outputs.js';

export interface FinishInput {
  input: FastRunInput;
  /** The backbone as trained (input side included). */
  spec: BackboneSpec;
  splits: MemberSplit[];
  checkCount: number;
  outcome: EngineOutcome;
  epochs: number;
  cache: FastRunResult['cache'];
  timings: Record<string, number>;
  options: FastRunOptions;
  /** How the version's backbone row describes what was trained. */
  described?: string;
}

export async function finishRun(x: FinishInput): Promise<FastRunResult> {
  const { input, spec, splits, outcome, options } = x;
  const engine = outcome.done;
  let t = performance.now();
  const onnxSha256 = sha256Hex(await fs.readFile(outcome.onnxFile));
  const tuned = backboneSpecSchema.parse({
    ...spec,
    dim: outcome.head.dim,
    tap: outcome.tap.tap,
    pool: outcome.tap.pool,
    id: `fast-${onnxSha256.slice(0, 16)}`,
    description: x.described ?? `${spec.id} with the blocks above ${engine.cut} trained by the fast path${engine.members > 1 ? ` (${engine.members} members)` : ''}`,
    weights: { source: 'file', file: outcome.onnxFile, sha256: onnxSha256 },
  });
  const served = await serve(tuned, input.home, input.evaluate, input.params.workers, options);
  const exportCheck = checkExport(outcome.checkEmbeddings, outcome.checkLogits, served.slice(0, x.checkCount), outcome.head);
  const timings = { ...x.timings, serve: Number(((performance.now() - t) / 1000).toFixed(2)) };
  t = performance.now();
  // Each held-out photo scored by the member that never saw it (members in order, as the engine wrote them).
  const heldOut = splits.slice(0, engine.members).flatMap((split) => split.val);
  const { thresholds, accuracy, calibration } = heldOutFit(outcome.valLogits, input.train, heldOut, input.labels.length, input.heads);
  return {
    engine,
    onnxFile: outcome.onnxFile,
    onnxSha256,
    spec: { ...tuned, weights: { ...tuned.weights, file: 'backbone.onnx' } } as BackboneSpec,
    head: outcome.head,
    thresholds,
    calibration,
    validation: { train: splits[0]!.train.length, val: heldOut.length, accuracy },
    check: exportCheck,
    epochs: x.epochs,
    upperFile: outcome.upperFile,
    served,
    cache: x.cache,
    timings: { ...timings, ...Object.fromEntries(Object.entries(engine.timings).map(([k, v]) => [`engine.${k}`, Number(v.toFixed(2))])) },
  };
}

async function serve(spec: BackboneSpec, home: HomeLayout, images: readonly EmbedInput[], workers: number | undefined, options: FastRunOptions): Promise<Float32Array[]> {
  const embedder = await openEmbedder(spec, { modelsDir: home.models, workers });
  try {
    let done = 0;
    return await Promise.all(
      images.map(async (image) => {
        options.signal?.throwIfAborted();
        const vector = await embedder.embed(image);
        options.onProgress?.('serve', ++done, images.length);
        return vector;
      }),
    );
  } finally {
    await embedder.close();
  }
}
