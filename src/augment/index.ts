// Public face of augmentation: concrete image operations (sharp), the presets and the seeded views.
export { applyOp, applyView, type AugmentOp, type AugmentView, type RawRgb } from './ops.js';
export { AUGMENT_PRESETS, FLIP_VIEW, OP_NAMES, drawViews, parseAugment, viewKey, type AugmentPolicy, type OpName } from './policy.js';
export { trainingBatch, centreBatch, type Canvases, type CropSettings } from './crops.js';
