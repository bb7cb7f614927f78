// McNemar's test on paired answers of two versions over the same test photos: only the discordant
// photos count (b = right in A and wrong in B, c = wrong in A and right in B). With b + c < 25 the
// exact two-sided binomial test (p = 0.5); otherwise the chi-square with continuity correction,
// (|b - c| - 1)^2 / (b + c), one degree of freedom. No I/O.

export interface McNemarResult {
  /** Right in A, wrong in B (broken by B). */
  b: number;
  /** Wrong in A, right in B (fixed by B). */
  c: number;
  method: 'exact-binomial' | 'chi-square-continuity' | 'none';
  /** The chi-square statistic (chi-square method only). */
  statistic: number | null;
  /** Two-sided p-value; 1 when no photo is discordant. */
  pValue: number;
}

/** Below this many discordant photos the exact binomial test is used. */
export const EXACT_BELOW = 25;

/** ln(n choose k) via log-gamma-free summation (n is at most a test set's size). */
function logChoose(n: number, k: number): number {
  let sum = 0;
  const m = Math.min(k, n - k);
  for (let i = 1; i <= m; i++) sum += Math.log(n - m + i) - Math.log(i);
  return sum;
}

/** Two-sided exact binomial p-value for min(b, c) successes of b + c trials at p = 0.5. */
export function exactBinomialTwoSided(b: number, c: number): number {
  const n = b + c;
  const k = Math.min(b, c);
  let tail = 0;
  for (let i = 0; i <= k; i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
  return Math.min(1, 2 * tail);
}

/** Upper tail of the chi-square distribution with one degree of freedom: P(X > x) = erfc(sqrt(x / 2)). */
export function chiSquare1Upper(x: number): number {
  return erfc(Math.sqrt(x / 2));
}

/** erfc by the Numerical Recipes Chebyshev fit (fractional error below 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** McNemar's test from the discordant counts. */
export function mcnemar(b: number, c: number): McNemarResult {
  const n = b + c;
  if (n === 0) return { b, c, method: 'none', statistic: null, pValue: 1 };
  if (n < EXACT_BELOW) return { b, c, method: 'exact-binomial', statistic: null, pValue: exactBinomialTwoSided(b, c) };
  const statistic = (Math.abs(b - c) - 1) ** 2 / n;
  return { b, c, method: 'chi-square-continuity', statistic, pValue: chiSquare1Upper(statistic) };
}
