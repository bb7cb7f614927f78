// Public face of the training engine on ONNX Runtime: where a backbone is cut, the graph below the cut,
// and the fast path's training (the blocks above the cut and a head on cached activations) with its
// served graph. It builds its step graphs with src/autodiff and runs them through the backbone domain's
// graph sessions.
export { blockOutputs, findCut, cutShape, lowerModel, subgraphModel, LOWER_OUTPUT } from './cut.js';
export { runTraining, type TrainJob, type TrainOutput } from './run.js';
export { cachedActivations, augmentedPixels, type BatchSource } from './batches.js';
export { FeatureCache } from './features.js';
export { blockDepths } from './depths.js';
export { network, trainingStep, scoringGraph, trainedWeights, untrainableOp, HEAD, type Network, type NetworkSpec } from './network.js';
export { batchInner } from './layout.js';
export { headLoss, classWeights, type HeadLayout, type HeadLoss } from './heads.js';
export { AdamW, schedule, warmupSteps, type Param } from './optimizer.js';
export { servedGraph, type ServedGraph } from './export.js';
export type { EngineEvent, EpochRecord } from './events.js';
export type { WarmStart } from './warm-start.js';
