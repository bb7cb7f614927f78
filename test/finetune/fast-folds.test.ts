// The fast path's validation folds are the same in every version of a project: a pure function of each
// photo's sha256 and the project's split seed (near-duplicate groups whole), so a warm start's member m
// holds out only photos its parent's member m never saw.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { stableFolds } from '../../src/dataset/index.js';
import type { FastItem } from '../../src/finetune/index.js';
import { memberSplits } from '../../src/finetune/fast-validation.js';

const PARAMS = { valFraction: 0.05, seed: 1, members: 2 };

/** `count` photos over 8 labels; `burst` of them (from the first) in bursts of 4 near-identical shots. */
function photos(prefix: string, count: number, burst = 0): FastItem[] {
  return Array.from({ length: count }, (_, i) => {
    const sha256 = createHash('sha256').update(`${prefix}-${i}`).digest('hex');
    // A burst's shots share a dHash; other photos get unrelated ones.
    const dhash = i < burst ? createHash('md5').update(`${prefix}-burst-${Math.floor(i / 4)}`).digest('hex').slice(0, 16) : createHash('md5').update(sha256).digest('hex').slice(0, 16);
    return { sha256, path: `/photos/${prefix}-${i}.jpg`, name: `${prefix}-${i}.jpg`, label: i % 8, dhash };
  });
}

/** For each member, the sha256 of the photos it trains on and of those it holds out. */
function sides(items: readonly FastItem[], splits: ReturnType<typeof memberSplits>): { train: Set<string>; val: Set<string> }[] {
  return splits.map((s) => ({ train: new Set(s.train.map((i) => items[i]!.sha256)), val: new Set(s.val.map((i) => items[i]!.sha256)) }));
}

test("a warm start's member m holds out only photos its parent's member m never saw", () => {
  const parent = photos('p', 400, 80);
  const child = [...parent, ...photos('new', 200)];
  const before = sides(parent, memberSplits(parent, PARAMS));
  const after = sides(child, memberSplits(child, PARAMS));
  for (const m of [0, 1]) {
    // On main the folds were dealt again over the grown set: most of member m's new held-out photos had trained it.
    const seen = [...after[m]!.val].filter((sha) => before[m]!.train.has(sha));
    assert.deepEqual(seen, [], `member ${m} holds out ${seen.length} photos its parent member trained on`);
    assert.ok(after[m]!.val.size > 10, 'and it still holds out some');
  }
});

test('with the parent named, a photo that joined a parent burst is kept exact too', () => {
  const parent = photos('p', 400, 80);
  // New shots of the parent's bursts (same dHash): one of them may carry a smaller key and move its burst's fold.
  const joiners = photos('j', 40).map((item, i) => ({ ...item, dhash: parent[(i % 20) * 4]!.dhash }));
  const child = [...parent, ...joiners];
  const before = sides(parent, memberSplits(parent, PARAMS));
  const after = sides(child, memberSplits(child, PARAMS, { parent: { items: parent, members: 2, valFraction: 0.05 } }));
  for (const m of [0, 1]) assert.deepEqual([...after[m]!.val].filter((sha) => before[m]!.train.has(sha)), []);
});

test('the folds do not depend on the training seed, and keep each near-duplicate group whole', () => {
  const items = photos('p', 300, 120);
  assert.deepEqual(memberSplits(items, { ...PARAMS, seed: 1 }), memberSplits(items, { ...PARAMS, seed: 2 }));
  const folds = stableFolds(items, 20);
  for (let b = 0; b < 30; b++) assert.equal(new Set(folds.subarray(4 * b, 4 * b + 4)).size, 1, `burst ${b} straddles folds`);
  // About 5% a fold: 300 photos in 20 folds.
  const sizes = Array.from({ length: 20 }, (_, f) => folds.filter((x) => x === f).length);
  assert.ok(Math.max(...sizes) < 45 && Math.min(...sizes) >= 1, JSON.stringify(sizes));
});

test('a set too small to fill fold m holds out the fold that comes next, the same way every time', () => {
  const few = photos('few', 6);
  const splits = memberSplits(few, { valFraction: 0.1, seed: 1, members: 2 });
  for (const s of splits) assert.ok(s.val.length > 0 && s.train.length > 0, JSON.stringify(s));
  assert.deepEqual(memberSplits([...few].reverse(), { valFraction: 0.1, seed: 1, members: 2 }).map((s) => s.val.map((i) => 5 - i).sort()), splits.map((s) => [...s.val].sort()));
});
