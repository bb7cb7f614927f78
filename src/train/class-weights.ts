// Class weights that balance an uneven label distribution, as sklearn's class_weight='balanced'.

/**
 * sklearn's 'balanced' class weights: n / (numClasses * count_c), and 0 for a class with no samples.
 *
 * @example
 * balancedClassWeights([0, 0, 0, 1], 2); // Float32Array [0.666..., 2]
 */
export function balancedClassWeights(y: ArrayLike<number>, numClasses: number): Float32Array {
  const counts = new Float64Array(numClasses);
  for (let i = 0; i < y.length; i++) {
    const label = y[i]!;
    if (label >= 0 && label < numClasses) counts[label] = counts[label]! + 1;
  }
  const weights = new Float32Array(numClasses);
  for (let c = 0; c < numClasses; c++) {
    const count = counts[c]!;
    weights[c] = count > 0 ? y.length / (numClasses * count) : 0;
  }
  return weights;
}
