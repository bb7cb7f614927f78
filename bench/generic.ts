// `npm run bench:generic [-- --json] [--limit N]`: how right DetectLabels is on product photos with no training.
// Every photo of clothing-dataset-small `test/` and grocery-store-dev `val/` goes through GenericLabeller at the
// default MinConfidence (55); each dataset label maps to the generic labels it should get (the table below).
// Reported per dataset: the share of photos whose answer holds one of them ("correct"), and the share whose most
// confident label is neither one of them, nor filed under one, nor a more general name above them ("Food" for an
// apple: right but vague) - the "wrong top answer". An empty answer is not wrong.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LABELS_MIN_CONFIDENCE, GenericLabeller, type GenericLabel } from '../src/generic/index.js';
import { resolveHome } from '../src/home/index.js';

const DATASETS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'datasets');

/** Dataset label -> the generic labels that count as right for it (the label itself or a parent of it). */
const CLOTHING: Readonly<Record<string, readonly string[]>> = Object.freeze({
  dress: ['Dress', 'Clothing'],
  hat: ['Hat', 'Headwear', 'Clothing'],
  longsleeve: ['Shirt', 'Sweater', 'Sweatshirt', 'Clothing'],
  outwear: ['Coat', 'Jacket', 'Clothing'],
  pants: ['Pants', 'Jeans', 'Clothing'],
  shirt: ['Shirt', 'Clothing'],
  shoes: ['Footwear', 'Shoe', 'Clothing'],
  shorts: ['Shorts', 'Clothing'],
  skirt: ['Skirt', 'Clothing'],
  't-shirt': ['T-Shirt', 'Clothing'],
});

/** Grocery: by the dataset's own category column (labels.csv), and the coarse class name itself. */
const GROCERY_BY_CATEGORY: Readonly<Record<string, readonly string[]>> = Object.freeze({
  Fruit: ['Fruit'],
  Vegetables: ['Vegetable'],
  Packages: ['Dairy', 'Beverage', 'Bottle', 'Carton', 'Package'],
});

/** Names above the accepted ones: right but vague as a top answer, neither correct nor wrong. */
const GENERAL: Readonly<Record<string, readonly string[]>> = Object.freeze({ clothing: [], grocery: ['Food', 'Plant'] });

interface Photo {
  file: string;
  label: string;
  accepted: readonly string[];
  general: readonly string[];
}

function clothingPhotos(): Photo[] {
  const root = path.join(DATASETS, 'clothing-dataset-small', 'test');
  return fs.readdirSync(root).sort().flatMap((label) => fs.readdirSync(path.join(root, label)).sort().map((f) => ({ file: path.join(root, label, f), label, accepted: CLOTHING[label]!, general: GENERAL.clothing! })));
}

function groceryPhotos(): Photo[] {
  const base = path.join(DATASETS, 'grocery-store-dev');
  const rows = fs.readFileSync(path.join(base, 'labels.csv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split(',').map((cell) => cell.trim()));
  const byFine = new Map(rows.map(([fine, , coarse, , category]) => [fine!, [...GROCERY_BY_CATEGORY[category!]!, coarse!.replace(/-/g, ' ')]]));
  const root = path.join(base, 'val');
  return fs.readdirSync(root).sort().flatMap((label) => fs.readdirSync(path.join(root, label)).sort().map((f) => ({ file: path.join(root, label, f), label, accepted: byFine.get(label)!, general: GENERAL.grocery! })));
}

const rightFor = (label: GenericLabel, accepted: readonly string[]): boolean => accepted.includes(label.Name) || label.Parents.some((p) => accepted.includes(p.Name));

async function measure(labeller: GenericLabeller, name: string, photos: Photo[]) {
  let correct = 0;
  let wrongTop = 0;
  let empty = 0;
  let vague = 0;
  const wrongTops = new Map<string, number>();
  for (const photo of photos) {
    const { Labels } = await labeller.detectLabels({ path: photo.file });
    if (Labels.some((l) => rightFor(l, photo.accepted))) correct += 1;
    if (Labels.length === 0) empty += 1;
    else if (photo.general.includes(Labels[0]!.Name)) vague += 1;
    else if (!rightFor(Labels[0]!, photo.accepted)) {
      wrongTop += 1;
      wrongTops.set(`${photo.label} -> ${Labels[0]!.Name}`, (wrongTops.get(`${photo.label} -> ${Labels[0]!.Name}`) ?? 0) + 1);
    }
  }
  const n = photos.length;
  return { dataset: name, photos: n, correct: correct / n, wrongTopAnswer: wrongTop / n, vagueTopAnswer: vague / n, empty: empty / n, commonWrong: [...wrongTops].sort((a, b) => b[1] - a[1]).slice(0, 8) };
}

const args = process.argv.slice(2);
const limit = args.includes('--limit') ? Number(args[args.indexOf('--limit') + 1]) : Infinity;
const labeller = await GenericLabeller.open({ modelsDir: resolveHome().models });
try {
  const results = [await measure(labeller, 'clothing-dataset-small test', clothingPhotos().slice(0, limit)), await measure(labeller, 'grocery-store-dev val', groceryPhotos().slice(0, limit))];
  if (args.includes('--json')) console.log(JSON.stringify({ minConfidence: DEFAULT_LABELS_MIN_CONFIDENCE, models: (await labeller.detectLabels({ path: clothingPhotos()[0]!.file })).LabelModelVersion, results }));
  else {
    console.log(`DetectLabels at MinConfidence ${DEFAULT_LABELS_MIN_CONFIDENCE}`);
    for (const r of results) console.log(`${r.dataset}: ${r.photos} photos, correct ${r.correct.toFixed(3)}, wrong top answer ${r.wrongTopAnswer.toFixed(3)}, vague top answer ${r.vagueTopAnswer.toFixed(3)}, no answer ${r.empty.toFixed(3)}; most common wrong: ${r.commonWrong.map(([k, v]) => `${k} x${v}`).join(', ')}`);
  }
} finally {
  await labeller.close();
}
