// The one seeded PRNG of skulens (mulberry32), shared by the demo generator, augmentation and training,
// so that a seed alone fixes every random draw (Math.random is never used where results must repeat).

/** A source of uniform numbers in [0, 1). */
export type RandomSource = () => number;

/**
 * mulberry32: a fast 32-bit seeded PRNG. Same seed, same sequence, on every platform.
 *
 * @example
 * const random = mulberry32(1);
 * const u = random(); // in [0, 1)
 */
export function mulberry32(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
