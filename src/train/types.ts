// Shapes of trained heads and of the options that train them; shared by every module in src/train.

/** Multinomial logistic regression: probabilities = softmax(weights · x + bias). */
export interface LogisticHead {
  kind: 'logistic';
  dim: number;
  numClasses: number;
  /** numClasses x dim, row-major. */
  weights: Float32Array;
  /** numClasses. */
  bias: Float32Array;
}

/** One hidden ReLU layer: probabilities = softmax(w2 · relu(w1 · x + b1) + b2). */
export interface MlpHead {
  kind: 'mlp';
  dim: number;
  hidden: number;
  numClasses: number;
  /** hidden x dim, row-major. */
  w1: Float32Array;
  /** hidden. */
  b1: Float32Array;
  /** numClasses x hidden, row-major. */
  w2: Float32Array;
  /** numClasses. */
  b2: Float32Array;
}

/** A trained classification head over backbone embeddings. */
export type Head = LogisticHead | MlpHead;

/** Options of {@link trainHead}; every field has a default. */
export interface HeadTrainingOptions {
  /** Head type. Default 'logistic'. */
  kind?: 'logistic' | 'mlp';
  /**
   * L2 strength as in sklearn's C: the objective is sum_i w_i * logloss_i + ||W||^2 / (2C)
   * (biases not penalised). Default 10.
   */
  C?: number;
  /** Fit on per-feature z-scores and fold them back into the head (see standardize.ts). Default false. */
  standardize?: boolean;
  /** L-BFGS iteration cap (logistic). Default 300. */
  maxIterations?: number;
  /** L-BFGS stops when max |gradient| of the objective divided by the total sample weight is below this (sklearn's tol). Default 1e-4. */
  tolerance?: number;
  /** Per-class weights; null or absent = unweighted. See {@link balancedClassWeights}. */
  classWeights?: Float32Array | null;
  /** Per-sample weights, multiplied with the class weights. */
  sampleWeights?: Float32Array | null;
  /** MLP hidden units. Default 128. */
  hidden?: number;
  /** MLP passes over the data. Default 20 (about 0.7 s each on 3,000 x 1,280 with 128 hidden units). */
  epochs?: number;
  /** MLP Adam step size. Default 1e-3. */
  learningRate?: number;
  /** MLP minibatch size. Default 64. */
  batchSize?: number;
  /** Seed of everything random (MLP initialisation and minibatch order). Default 1. */
  seed?: number;
  /** Called after each L-BFGS iteration or MLP epoch with the objective per unit of sample weight. */
  onProgress?: (step: number, total: number, loss: number) => void;
  /**
   * 'exact' (default): full-batch L-BFGS for the logistic head and JS Adam for the MLP, bit-reproducible.
   * 'minibatch': both heads by mini-batch Adam on onnxruntime, reading the rows in place (large sets;
   * the logistic head then trains {@link LOGISTIC_EPOCHS} epochs unless `epochs` says otherwise).
   */
  solver?: 'exact' | 'minibatch';
  /** Mini-batch solver: rows drawn per epoch (default every row; oversampled sets draw their image count). */
  epochSize?: number;
  /** Mini-batch solver: called after each epoch with the rows it used. */
  onRowsSeen?: (epoch: number, rows: number) => void;
  /** Aborting it makes training throw SkulensError ERR_TRAINING_CANCELLED (details {version: 'head'}). */
  signal?: AbortSignal;
}
