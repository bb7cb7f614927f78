// Full-batch L-BFGS minimisation of a smooth function of a Float64 vector, with a backtracking
// (Armijo) line search. Deterministic: no randomness, fixed operation order.

/** Writes the gradient at `x` into `gradient` and returns the function value. */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

/** Stopping rules and hooks of {@link minimizeLbfgs}. */
export interface LbfgsOptions {
  /** Iteration cap. */
  maxIterations: number;
  /** Stop when max |gradient| falls to this (scipy's pgtol, sklearn's tol). */
  gradientTolerance: number;
  /** Stop when the relative decrease of f in one step is below this. Default 64 * machine epsilon, as sklearn. */
  functionTolerance?: number;
  /** Number of correction pairs kept. Default 10. */
  memory?: number;
  /** Called after each accepted iteration; may throw to abort. */
  onIteration?: (iteration: number, value: number) => void;
}

/** Outcome of {@link minimizeLbfgs}. */
export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  evaluations: number;
  /** True when the gradient or function tolerance was met, false when a cap was hit or the line search failed. */
  converged: boolean;
}

const ARMIJO = 1e-4;
const MAX_LINE_SEARCH = 40;

/**
 * Minimises `objective` from `x0` (not modified) with limited-memory BFGS.
 *
 * @example
 * const { x } = minimizeLbfgs((x, g) => { g[0] = 2 * (x[0]! - 3); return (x[0]! - 3) ** 2; },
 *   new Float64Array(1), { maxIterations: 50, gradientTolerance: 1e-8 }); // x[0] ≈ 3
 */
export function minimizeLbfgs(objective: Objective, x0: Float64Array, options: LbfgsOptions): LbfgsResult {
  const n = x0.length;
  const memory = options.memory ?? 10;
  const functionTolerance = options.functionTolerance ?? 64 * Number.EPSILON;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let xNext = new Float64Array(n);
  let gNext = new Float64Array(n);
  const direction = new Float64Array(n);
  const sHistory = Array.from({ length: memory }, () => new Float64Array(n));
  const yHistory = Array.from({ length: memory }, () => new Float64Array(n));
  const rho = new Float64Array(memory);
  const alpha = new Float64Array(memory);
  let stored = 0;
  let newest = -1;

  let value = objective(x, g);
  let evaluations = 1;
  if (!Number.isFinite(value)) return { x, value, iterations: 0, evaluations, converged: false };
  if (maxAbs(g) <= options.gradientTolerance) return { x, value, iterations: 0, evaluations, converged: true };

  for (let iteration = 1; iteration <= options.maxIterations; iteration++) {
    // Two-loop recursion: direction = -H g, H the implicit inverse-Hessian estimate.
    direction.set(g);
    for (let k = 0; k < stored; k++) {
      const slot = (newest - k + memory) % memory;
      alpha[slot] = rho[slot]! * dot(sHistory[slot]!, direction);
      axpy(-alpha[slot]!, yHistory[slot]!, direction);
    }
    let initialStep = 1;
    if (stored > 0) {
      const yNew = yHistory[newest]!;
      scale(direction, 1 / (rho[newest]! * dot(yNew, yNew)));
    } else {
      // No curvature known yet: a steepest-descent step of unit length, as scipy does.
      initialStep = Math.min(1, 1 / Math.sqrt(dot(g, g)));
    }
    for (let k = stored - 1; k >= 0; k--) {
      const slot = (newest - k + memory) % memory;
      const beta = rho[slot]! * dot(yHistory[slot]!, direction);
      axpy(alpha[slot]! - beta, sHistory[slot]!, direction);
    }
    scale(direction, -1);
    let slope = dot(g, direction);
    if (!(slope < 0)) {
      // Not a descent direction (round-off): forget the history and go downhill.
      stored = 0;
      direction.set(g);
      scale(direction, -1);
      slope = -dot(g, g);
      initialStep = Math.min(1, 1 / Math.sqrt(-slope));
    }

    let step = initialStep;
    let nextValue = Number.NaN;
    let accepted = false;
    for (let trial = 0; trial < MAX_LINE_SEARCH; trial++) {
      for (let j = 0; j < n; j++) xNext[j] = x[j]! + step * direction[j]!;
      nextValue = objective(xNext, gNext);
      evaluations++;
      if (Number.isFinite(nextValue) && nextValue <= value + ARMIJO * step * slope) {
        accepted = true;
        break;
      }
      // Minimiser of the quadratic through f(0), f'(0) and f(step), kept within [0.1, 0.5] of step.
      const curvature = Number.isFinite(nextValue) ? nextValue - value - slope * step : Number.POSITIVE_INFINITY;
      const quadratic = (-slope * step * step) / (2 * curvature);
      step = Math.min(0.5 * step, Math.max(0.1 * step, Number.isFinite(quadratic) ? quadratic : 0));
    }
    if (!accepted) return { x, value, iterations: iteration - 1, evaluations, converged: false };

    const slot = (newest + 1) % memory;
    const s = sHistory[slot]!;
    const y = yHistory[slot]!;
    for (let j = 0; j < n; j++) {
      s[j] = xNext[j]! - x[j]!;
      y[j] = gNext[j]! - g[j]!;
    }
    const sy = dot(s, y);
    // Keep the pair only when it carries positive curvature, so H stays positive definite.
    if (sy > 1e-10 * Math.sqrt(dot(s, s) * dot(y, y))) {
      rho[slot] = 1 / sy;
      newest = slot;
      stored = Math.min(stored + 1, memory);
    } else if (stored === memory) {
      stored--; // the rejected pair overwrote the oldest one
    }

    const decrease = value - nextValue;
    [x, xNext] = [xNext, x];
    [g, gNext] = [gNext, g];
    value = nextValue;
    options.onIteration?.(iteration, value);
    if (maxAbs(g) <= options.gradientTolerance) return { x, value, iterations: iteration, evaluations, converged: true };
    if (decrease <= functionTolerance * Math.max(Math.abs(value), Math.abs(value + decrease), 1)) {
      return { x, value, iterations: iteration, evaluations, converged: true };
    }
  }
  return { x, value, iterations: options.maxIterations, evaluations, converged: false };
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let j = 0; j < a.length; j++) sum += a[j]! * b[j]!;
  return sum;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let j = 0; j < y.length; j++) y[j] = y[j]! + a * x[j]!;
}

function scale(x: Float64Array, a: number): void {
  for (let j = 0; j < x.length; j++) x[j] = x[j]! * a;
}

function maxAbs(x: Float64Array): number {
  let max = 0;
  for (let j = 0; j < x.length; j++) {
    const v = Math.abs(x[j]!);
    if (v > max) max = v;
  }
  return max;
}
