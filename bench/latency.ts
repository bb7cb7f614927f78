// Serving latency as the benchmarks measure it: a sample of test photos, then DetectCustomLabels one
// image at a time through a started version, as a client calls it (p50 after one warm-up call).
import type { HomeLayout } from '../src/home/index.js';
import { Predictor, walkImages } from '../src/predict/index.js';
import type { Registry, Version } from '../src/registry/index.js';

/** The first `count` images under `dir`, in walk order. */
export async function sampleImages(dir: string, count: number): Promise<string[]> {
  const sample: string[] = [];
  for await (const file of walkImages(dir)) {
    if (sample.length >= count) break;
    sample.push(file);
  }
  return sample;
}

/** Median latency in ms of DetectCustomLabels on each sample image, one at a time. */
export async function latencyP50(registry: Registry, home: HomeLayout, version: Version, sample: readonly string[]): Promise<number> {
  const predictor = await Predictor.load(registry, home, { project: version.project, name: version.name });
  try {
    await predictor.detect({ path: sample[0]! });
    const times: number[] = [];
    for (const file of sample) {
      const start = performance.now();
      await predictor.detect({ path: file });
      times.push(performance.now() - start);
    }
    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
  } finally {
    await predictor.close();
  }
}
