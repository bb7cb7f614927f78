// Public face of the backbone domain: the backbone table, weights (find, verify, pull), the embedding
// worker pool and the embedding cache, TFLite weights converted at first use. The only module that
// touches onnxruntime-node and TF.js.
export { BACKBONES, DEFAULT_BACKBONE_ID, PACKAGE_MODELS_DIR, backboneSpecSchema, type BackboneSpec } from './spec.js';
export { getBackbone, listBackbones, versionBackbone } from './registry.js';
export { pullBackbone, type PullOptions } from './pull.js';
export { openEmbedder, type Embedder, type EmbedderOptions } from './embedder.js';
export { EmbeddingCache, cacheKeyOf, embedWithCache, type EmbedWithCacheOptions } from './cache.js';
export { preprocess, type EmbedInput, type InputTensor } from './preprocess.js';
export {
  openCocoDetector,
  openImagenetClassifier,
  openNsfwClassifier,
  COCO_DETECTOR_SIZE,
  NSFW_CLASSES,
  NSFW_MODEL,
  type GenericModel,
} from './generic-models.js';
export { verifiedWeights, sha256File } from './registry.js';
export { backboneClassNames } from './generic-models.js';
export { convertedPath, isTfliteFile } from './tflite-weights.js';
export { averageUnit } from './vector.js';
export { openSyncOnnxSession, type SyncFeed, type SyncOnnxSession } from './runtime-onnx-sync.js';
export { openGraphSession, CUDA_HINT, type GraphSession, type GraphSessionOptions, type GraphDevice, type Feed } from './runtime-graph.js';
export { importOptional, OPTIONAL_PACKAGES, INSTALL_COMMAND } from './optional.js';
