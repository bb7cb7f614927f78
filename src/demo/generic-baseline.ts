// The generic-labels baseline beside a custom model: what DetectLabels' ImageNet classes alone can do
// for a shop's labels. Each ImageNet class is mapped to the shop label it most often co-occurs with on
// the project's training photos; each test photo gets the label its top classes vote for. Used by
// `skulens demo`'s report and by bench/generic-vs-custom.ts.
import path from 'node:path';
import { fitShopLabelMap, GenericLabeller, predictShopLabel, type ClassScore } from '../generic/index.js';
import type { HomeLayout } from '../home/index.js';
import type { Entry, Registry } from '../registry/index.js';

/** How many of a photo's most confident ImageNet classes count, by default. */
export const GENERIC_TOP_CLASSES = 5;

export interface GenericBaseline {
  /** Accuracy of the mapped generic labels on the test photos (no answer counts as wrong). */
  accuracy: number;
  /** Test photos that got any answer. */
  answered: number;
  total: number;
  trainPhotos: number;
  top: number;
  seconds: number;
  /** A few test photos: their true label, top generic class names, and the shop label those map to. */
  examples: { image: string; truth: string; generic: string[]; mapped: string | null }[];
}

export interface GenericBaselineOptions {
  top?: number;
  examples?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs the ImageNet classifier over a project's train and test photos and scores the mapped generic
 * labels on the test photos. Only training photos shape the map.
 */
export async function genericBaseline(registry: Registry, home: HomeLayout, project: string, options: GenericBaselineOptions = {}): Promise<GenericBaseline> {
  const top = options.top ?? GENERIC_TOP_CLASSES;
  const projectId = registry.getProject(project).id;
  const train = registry.listEntries(projectId, { split: 'train' });
  const test = registry.listEntries(projectId, { split: 'test' });
  const started = performance.now();
  const labeller = await GenericLabeller.open({ modelsDir: home.models, detector: false });
  const classesOf = new Map<number, { index: number; name: string; confidence: number }[]>();
  try {
    const all = [...train, ...test];
    for (const [k, e] of all.entries()) {
      classesOf.set(e.id, await labeller.imagenetClasses({ path: path.resolve(home.root, e.blob), name: e.source }, top));
      options.onProgress?.(k + 1, all.length);
    }
  } finally {
    await labeller.close();
  }
  const scores = (e: Entry): ClassScore[] => classesOf.get(e.id)!;
  const map = fitShopLabelMap(train.map((e) => ({ classes: scores(e), label: e.label })));
  let correct = 0;
  let answered = 0;
  const guesses = test.map((e) => predictShopLabel(map, scores(e)));
  guesses.forEach((guess, k) => {
    if (guess !== undefined) answered += 1;
    if (guess === test[k]!.label) correct += 1;
  });
  // One example per label, in label order, so the report shows the range of what generic labels say.
  const firstOfLabel = [...new Map(test.map((e, k) => [e.label, k] as const).reverse()).values()].sort((a, b) => (test[a]!.label < test[b]!.label ? -1 : 1));
  const examples = firstOfLabel.slice(0, options.examples ?? 5).map((k) => ({
    image: test[k]!.source,
    truth: test[k]!.label,
    generic: classesOf.get(test[k]!.id)!.slice(0, 3).map((c) => `${c.name} ${c.confidence.toFixed(0)}%`),
    mapped: guesses[k] ?? null,
  }));
  return { accuracy: test.length ? correct / test.length : 0, answered, total: test.length, trainPhotos: train.length, top, seconds: (performance.now() - started) / 1000, examples };
}

/** The report's lines: generic labels mapped to the shop's labels beside the custom model. */
export function formatGenericBaseline(baseline: GenericBaseline, custom: { accuracy: number; version?: string }): string {
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  const lines = [
    `Generic labels vs custom labels on ${baseline.total} test photos:`,
    `  generic (ImageNet classes, top ${baseline.top}, each mapped to the label it co-occurs with on ${baseline.trainPhotos} training photos): ${pct(baseline.accuracy)}` +
      (baseline.answered < baseline.total ? ` (${baseline.total - baseline.answered} photos got no answer)` : ''),
    `  custom${custom.version ? ` (${custom.version})` : ''}: ${pct(custom.accuracy)}`,
  ];
  for (const e of baseline.examples) lines.push(`  ${e.truth}: generic says ${e.generic.join(', ')} -> ${e.mapped ?? 'no answer'}`);
  return lines.join('\n');
}
