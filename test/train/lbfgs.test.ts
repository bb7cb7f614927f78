import { test } from 'node:test';
import assert from 'node:assert/strict';
import { minimizeLbfgs } from '../../src/train/lbfgs.js';

test('minimizeLbfgs finds the minimum (1, 1) of the Rosenbrock function', () => {
  const rosenbrock = (x: Float64Array, g: Float64Array): number => {
    const [a, b] = [x[0]!, x[1]!];
    g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
    g[1] = 200 * (b - a * a);
    return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
  };
  const result = minimizeLbfgs(rosenbrock, Float64Array.of(-1.2, 1), { maxIterations: 200, gradientTolerance: 1e-9, functionTolerance: 0 });
  assert.ok(result.converged);
  assert.ok(Math.abs(result.x[0]! - 1) < 1e-6 && Math.abs(result.x[1]! - 1) < 1e-6, `got ${result.x}`);
});

test('minimizeLbfgs stops after maxIterations and reports no convergence', () => {
  const quadratic = (x: Float64Array, g: Float64Array): number => {
    g[0] = 2 * x[0]! * 1e6;
    g[1] = 2 * x[1]!;
    return 1e6 * x[0]! ** 2 + x[1]! ** 2;
  };
  const result = minimizeLbfgs(quadratic, Float64Array.of(1, 1), { maxIterations: 1, gradientTolerance: 0, functionTolerance: 0 });
  assert.equal(result.iterations, 1);
  assert.equal(result.converged, false);
});
