// Seeded randomness for training: a tiny PRNG and the helpers built on it, so every run with the same
// seed draws the same numbers (Math.random is never used in training code).

import { mulberry32, type RandomSource } from '../random.js';

export { mulberry32, type RandomSource };

interface Shufflable {
  length: number;
  [index: number]: unknown;
}

/**
 * Fisher-Yates shuffle of `items` in place, driven by a seed or a RandomSource. Returns `items`.
 *
 * @example
 * shuffleInPlace([1, 2, 3, 4], 7); // same order for seed 7 every time
 */
export function shuffleInPlace<T extends Shufflable>(items: T, seedOrRandom: number | RandomSource): T {
  const random = typeof seedOrRandom === 'number' ? mulberry32(seedOrRandom) : seedOrRandom;
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const held = items[i];
    items[i] = items[j];
    items[j] = held;
  }
  return items;
}

/** One standard normal draw (Box-Muller) from a RandomSource. */
export function normalSample(random: RandomSource): number {
  // 1 - u keeps the logarithm's argument in (0, 1].
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
