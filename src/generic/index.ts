// Public face of generic labels: DetectLabels and DetectModerationLabels from pretrained models, no training.
export {
  GenericLabeller,
  DEFAULT_LABELS_MIN_CONFIDENCE,
  DEFAULT_MODERATION_MIN_CONFIDENCE,
  MAX_LABELS,
  type DetectLabelsOptions,
  type DetectLabelsResult,
  type DetectModerationResult,
} from './labeller.js';
export type { BoundingBox, GenericLabel, Instance } from './labels.js';
export { COCO_CLASSES, type CocoClass } from './coco.js';
export { MODERATION_MAP, moderationLabels, type ModerationLabel, type ModerationRow } from './moderation.js';
export { imagenetLabel } from './imagenet.js';
export { fitShopLabelMap, predictShopLabel, shopMappingAccuracy, type ClassScore, type ShopLabelMap } from './shop-mapping.js';
