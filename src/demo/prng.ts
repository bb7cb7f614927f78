// Owns the demo's randomness: a small seeded PRNG (mulberry32) so that a seed alone fixes every
// synthetic photo. Nothing in src/demo may call Math.random.

import { mulberry32 } from '../random.js';

/** A seeded source of numbers in [0, 1) with a few conveniences for scene building. */
export interface Rng {
  /** Next float in [0, 1). */
  next(): number;
  /** Float in [min, max). */
  range(min: number, max: number): number;
  /** Integer in [min, max], both ends included. */
  int(min: number, max: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** True with probability `p`. */
  chance(p: number): boolean;
}

/**
 * mulberry32: 32-bit state, good enough spread for pictures, identical on every platform.
 *
 * @example
 * const rng = createRng(mixSeed(7, 2, 15)); // label 2, photo 15 of seed 7
 * rng.range(-20, 20);
 */
export function createRng(seed: number): Rng {
  const next = mulberry32(seed);
  return {
    next,
    range: (min, max) => min + (max - min) * next(),
    int: (min, max) => min + Math.floor((max - min + 1) * next()),
    pick: <T>(items: readonly T[]): T => {
      const item = items[Math.floor(items.length * next())];
      if (item === undefined) throw new RangeError('pick() needs a non-empty list');
      return item;
    },
    chance: (p) => next() < p,
  };
}

/**
 * Folds several integers into one 32-bit seed, so each photo gets its own stream and the result does
 * not depend on the order in which concurrent renders run.
 */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
    h ^= h >>> 15;
  }
  return h >>> 0;
}
