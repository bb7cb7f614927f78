// Class-imbalance strategies as a frozen table: each turns the training labels into the rows a head
// is fitted on (oversampled or undersampled, seeded) and optional class weights. `auto` picks one from
// the imbalance ratio and the head type, and says why.
import { balancedClassWeights } from './class-weights.js';
import { mulberry32, shuffleInPlace } from './random.js';

export const BALANCE_MODES = Object.freeze(['auto', 'weights', 'oversample', 'undersample', 'none'] as const);
export type BalanceMode = (typeof BALANCE_MODES)[number];
export type BalanceStrategy = Exclude<BalanceMode, 'auto'>;

/** Rows to fit on (indices into the training set, repeats allowed) and class weights, or null. */
export interface BalancePlan {
  strategy: BalanceStrategy;
  indices: Int32Array;
  classWeights: Float32Array | null;
}

/** Below this ratio of largest to smallest class, `auto` leaves the data as it is. */
export const AUTO_BALANCE_RATIO = 1.5;

function classCounts(y: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < y.length; i++) counts[y[i]!]! += 1;
  return counts;
}

/** Largest class count over smallest non-empty class count (1 for a balanced set). */
export function imbalanceRatio(y: ArrayLike<number>, numClasses: number): number {
  const present = classCounts(y, numClasses).filter((c) => c > 0);
  return present.length === 0 ? 1 : Math.max(...present) / Math.min(...present);
}

/**
 * What `auto` chooses: `none` when the ratio is below {@link AUTO_BALANCE_RATIO}; otherwise class
 * `weights` for the logistic head (its full-batch loss takes weights exactly) and `oversample` for the
 * MLP (weighted minibatches make noisy steps; repeated rows do not).
 */
export function chooseBalance(y: ArrayLike<number>, numClasses: number, kind: 'logistic' | 'mlp'): { strategy: BalanceStrategy; reason: string } {
  const ratio = imbalanceRatio(y, numClasses);
  const shown = ratio.toFixed(2);
  if (ratio < AUTO_BALANCE_RATIO) return { strategy: 'none', reason: `imbalance ratio ${shown} is below ${AUTO_BALANCE_RATIO}: classes are near balanced` };
  if (kind === 'mlp') return { strategy: 'oversample', reason: `imbalance ratio ${shown}; the MLP trains on minibatches, where repeated rows are steadier than weights` };
  return { strategy: 'weights', reason: `imbalance ratio ${shown}; the logistic head takes class weights exactly and keeps every image` };
}

type Planner = (y: ArrayLike<number>, numClasses: number, seed: number) => Omit<BalancePlan, 'strategy'>;

function byClass(y: ArrayLike<number>, numClasses: number): number[][] {
  const members = Array.from({ length: numClasses }, () => [] as number[]);
  for (let i = 0; i < y.length; i++) members[y[i]!]!.push(i);
  return members;
}

const all = (y: ArrayLike<number>): Int32Array => Int32Array.from({ length: y.length }, (_, i) => i);

/**
 * The strategies. oversample: every class is topped up with seeded draws (with replacement) to the
 * largest class count. undersample: every class keeps a seeded subset the size of the smallest class.
 * weights: sklearn's 'balanced' n / (K * count). none: every image once, unweighted.
 */
const PLANNERS: Readonly<Record<BalanceStrategy, Planner>> = Object.freeze({
  none: (y) => ({ indices: all(y), classWeights: null }),
  weights: (y, numClasses) => ({ indices: all(y), classWeights: balancedClassWeights(y, numClasses) }),
  oversample: (y, numClasses, seed) => {
    const members = byClass(y, numClasses);
    const target = Math.max(...members.map((m) => m.length));
    const random = mulberry32(seed);
    const indices: number[] = [];
    for (const list of members) {
      indices.push(...list);
      for (let k = list.length; k < target && list.length > 0; k++) indices.push(list[Math.floor(random() * list.length)]!);
    }
    return { indices: Int32Array.from(indices), classWeights: null };
  },
  undersample: (y, numClasses, seed) => {
    const members = byClass(y, numClasses);
    const target = Math.min(...members.filter((m) => m.length > 0).map((m) => m.length));
    const random = mulberry32(seed);
    const indices = members.flatMap((list) => shuffleInPlace([...list], random).slice(0, target).sort((a, b) => a - b));
    return { indices: Int32Array.from(indices), classWeights: null };
  },
});

/**
 * The rows and weights of one strategy (`auto` resolved by {@link chooseBalance}).
 *
 * @example
 * planBalance('undersample', [0, 0, 0, 1], 2, 1).indices; // two rows: one of class 0, one of class 1
 */
export function planBalance(mode: BalanceMode, y: ArrayLike<number>, numClasses: number, seed: number, kind: 'logistic' | 'mlp' = 'logistic'): BalancePlan & { reason: string } {
  const { strategy, reason } = mode === 'auto' ? chooseBalance(y, numClasses, kind) : { strategy: mode, reason: 'chosen by the user' };
  return { strategy, reason, ...PLANNERS[strategy](y, numClasses, seed) };
}
