import assert from 'node:assert/strict';
import { test } from 'node:test';
import { moderationLabels } from '../../src/generic/index.js';
import { imagenetLabel } from '../../src/generic/imagenet.js';
import { detectionCandidates, imagenetCandidates, mergeLabels } from '../../src/generic/labels.js';

// Detector rows: x1, y1, x2, y2 (512-px units), score, COCO class (2 = Car, 0 = Person).
const ROWS = Float32Array.of(
  0, 0, 256, 128, 0.9, 2, // car, left half, top quarter
  8, 0, 256, 128, 0.8, 2, // same car again (IoU > 0.5): suppressed
  256, 256, 512, 600, 0.7, 2, // second car, box clamped to the image
  100, 100, 200, 200, 0.3, 0, // person below 55
);

test('detections become one label per class with relative boxes, duplicates suppressed and weak ones dropped', () => {
  const candidates = detectionCandidates(ROWS, 512, 55);
  assert.equal(candidates.length, 1);
  const car = candidates[0]!;
  assert.equal(car.name, 'Car');
  assert.deepEqual(car.parents, ['Vehicle', 'Transportation']);
  assert.ok(Math.abs(car.confidence - 90) < 1e-4);
  assert.equal(car.instances.length, 2);
  assert.deepEqual(car.instances[0]!.BoundingBox, { Width: 0.5, Height: 0.25, Left: 0, Top: 0 });
  assert.deepEqual(car.instances[1]!.BoundingBox, { Width: 0.5, Height: 0.5, Left: 0.5, Top: 0.5 });
});

test('parents become labels of their own with the confidence of their best child and the rest of their chain', () => {
  const labels = mergeLabels(
    [
      { name: 'Car', confidence: 90, parents: ['Vehicle', 'Transportation'], instances: [] },
      { name: 'Sports Car', confidence: 70, parents: ['Car', 'Vehicle', 'Transportation'], instances: [] },
    ],
    10,
  );
  assert.deepEqual(
    labels.map((l) => [l.Name, l.Confidence, l.Parents.map((p) => p.Name)]),
    [
      ['Car', 90, ['Vehicle', 'Transportation']],
      ['Vehicle', 90, ['Transportation']],
      ['Transportation', 90, []],
      ['Sports Car', 70, ['Car', 'Vehicle', 'Transportation']],
    ],
  );
});

test('MaxLabels keeps the most confident labels, the more specific first on a tie', () => {
  const labels = mergeLabels([{ name: 'Dog', confidence: 80, parents: ['Pet', 'Animal'], instances: [] }], 2);
  assert.deepEqual(labels.map((l) => l.Name), ['Dog', 'Pet']);
});

test("nsfwjs probabilities map to Rekognition's moderation names and MinConfidence filters them", () => {
  // Drawing, Hentai, Neutral, Porn, Sexy
  const labels = moderationLabels([0.05, 0.1, 0.05, 0.6, 0.2], 15);
  assert.deepEqual(
    labels.map((l) => [l.Name, Math.round(l.Confidence * 1000) / 1000, l.ParentName]),
    [
      ['Explicit Nudity', 70, ''],
      ['Suggestive', 20, ''],
    ],
  );
  assert.deepEqual(moderationLabels([0.3, 0, 0.7, 0, 0], 50), []);
});

test('a box over half the image needs 80 confidence: a wrong whole-photo "Bed" under a product is dropped, a sure one kept', () => {
  // 59 = Bed. 0.6 over 90% of the image goes; 0.85 over the same box stays; 0.6 over a quarter stays.
  const rows = Float32Array.of(0, 0, 486, 486, 0.6, 59, 0, 0, 256, 256, 0.6, 0);
  assert.deepEqual(detectionCandidates(rows, 512, 55).map((c) => c.name), ['Person']);
  const sure = Float32Array.of(0, 0, 486, 486, 0.85, 59);
  assert.deepEqual(detectionCandidates(sure, 512, 55).map((c) => [c.name, Math.round(c.confidence)]), [['Bed', 85]]);
});

test("a parent's confidence is the sum of the ImageNet probabilities of every class under it", () => {
  // Indices of the 1001-class list: 516 cowboy hat, 809 sombrero, 453 bonnet (all Hat > Clothing), 611 jersey (T-Shirt > Clothing).
  const labels = Array.from({ length: 1001 }, (_, k) => ({ 516: 'cowboy hat', 809: 'sombrero', 453: 'bonnet, poke bonnet', 611: 'jersey, T-shirt' })[k] ?? `thing ${k}`);
  const p = new Float64Array(1001);
  [p[516], p[809], p[453], p[611]] = [0.3, 0.2, 0.15, 0.1];
  const byName = new Map(imagenetCandidates(p, labels, 55).map((c) => [c.name, c]));
  // No hat is sure alone (30, 20, 15 < 55); Hat is 65, Clothing 75.
  assert.deepEqual([...byName.keys()].sort(), ['Clothing', 'Hat']);
  assert.ok(Math.abs(byName.get('Hat')!.confidence - 65) < 1e-9);
  assert.deepEqual(byName.get('Hat')!.parents, ['Clothing']);
  assert.ok(Math.abs(byName.get('Clothing')!.confidence - 75) < 1e-9);
  const merged = mergeLabels(imagenetCandidates(p, labels, 55), 10);
  assert.deepEqual(merged.map((l) => [l.Name, Math.round(l.Confidence)]), [['Clothing', 75], ['Hat', 65]]);
});

test('an ImageNet animal keeps its animal parents even when its first synonym names clothing (Cardigan, the corgi)', () => {
  assert.deepEqual(imagenetLabel(265, 'Cardigan, Cardigan Welsh corgi'), { name: 'Cardigan', parents: ['Dog', 'Pet', 'Canine', 'Mammal', 'Animal'] });
  assert.deepEqual(imagenetLabel(475, 'cardigan'), { name: 'Cardigan', parents: ['Sweater', 'Clothing'] });
});
