// One-image predict latency of a fast-path result, as a started version serves it: the exported graph
// on the embedding pool, then the head. Median of sequential calls after one warm-up.
import { openEmbedder } from '../src/backbone/index.js';
import type { FastRunResult } from '../src/finetune/index.js';
import type { HomeLayout } from '../src/home/index.js';
import { headProbabilities } from '../src/train/index.js';

/** p50 milliseconds of embed + head for one image at a time. */
export async function measureLatency(result: FastRunResult, home: HomeLayout, files: string[]): Promise<number> {
  const embedder = await openEmbedder({ ...result.spec, weights: { ...result.spec.weights, file: result.onnxFile } } as typeof result.spec, { modelsDir: home.models });
  try {
    if (files.length === 0) return 0;
    headProbabilities(result.head, await embedder.embed({ path: files[0]! }));
    const times: number[] = [];
    for (const file of files) {
      const start = performance.now();
      headProbabilities(result.head, await embedder.embed({ path: file }));
      times.push(performance.now() - start);
    }
    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
  } finally {
    await embedder.close();
  }
}
