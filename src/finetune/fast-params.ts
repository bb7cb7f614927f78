// The fast path's parameters (validated once at the edge) and its default schedule. Defaults are the
// measured recipe (docs/fast-path.md).
import { z } from 'zod';
import { Duration, Int, Num, Seed } from '../params.js';
import { VIEW_KEYS } from './activation-cache.js';

/** Fast-path parameters, validated once at the edge. Defaults are the measured recipe (docs/fast-path.md). */
export const FastParamsSchema = z.object({
  backbone: z.string().min(1).default('mobilenet-v2-imagenet'),
  seed: Seed,
  /** Cut at the end of the backbone stage with this many channels (MobileNetV2: 64, 96 or 160). */
  cut: Int(1, 100_000).default(96),
  /** Cached views per image: the centre crop plus views - 1 random resized crops. */
  views: Int(1, VIEW_KEYS.length).default(2),
  /**
   * Passes of each member over the training photos. Default: 26,000 photos a member (defaultFastEpochs), 4 to
   * 12 epochs, or 4 for a warm start (`from`), which begins where a trained version ended.
   */
  epochs: Int(1, 200).optional(),
  /** Input side the blocks are trained and the version served at; default the backbone's own (224 for MobileNetV2). */
  size: Int(8, 640).optional(),
  /** Continue from this earlier fast version (same backbone and cut) instead of the ImageNet weights. */
  from: z.string().min(1).optional(),
  lr: Num(Number.MIN_VALUE, 1).default(1e-3),
  headLr: Num(Number.MIN_VALUE, 10).default(3e-3),
  weightDecay: Num(0, 1).default(0.05),
  batchSize: Int(1, 512).default(64),
  labelSmoothing: Num(0, 0.5).default(0.1),
  dropout: Num(0, 0.9).default(0.2),
  flip: Num(0, 1).default(0.5),
  /**
   * Copies of the blocks above the cut, trained with consecutive seeds on the same cache and served as one
   * graph (their mean logits): each member adds its training time and the upper blocks' serving compute.
   * Two scored grocery val 0.882 against 0.862-0.868 for one (docs/fast-path.md).
   */
  members: Int(1, 8).default(2),
  /**
   * Serve each photo's embedding averaged with its mirror image's (flip test-time augmentation): twice the
   * compute per photo. Default on for one member (+0.3 to +1.0 accuracy), off for more, where it added
   * nothing on grocery val (docs/fast-path.md).
   */
  flipTest: z.boolean().optional(),
  /** Decay of the exponential moving average of the trained weights that is exported; 0 = the last weights. */
  ema: Num(0, 0.9999).default(0),
  balance: z.enum(['balanced', 'sqrt', 'none']).default('sqrt'),
  /**
   * Share of the training images each member holds out (whole near-duplicate groups; member m its own fold)
   * for thresholds and the validation score: 5% a member, so two members score 10% between them. Against
   * 10% a member, grocery val 0.878 vs 0.855-0.858 and clothing 0.925 vs 0.927, with fewer "unknown"
   * answers on both (docs/fast-path.md).
   */
  valFraction: Num(0.02, 0.5).default(0.05),
  /** Wall-clock budget of the training in seconds; the engine stops after the epoch that would overrun it. */
  budgetSeconds: Duration(7 * 24 * 3600).optional(),
  /** Intra-op threads of the training sessions; default the machine's cores. */
  threads: Int(1, 256).optional(),
  workers: Int(1, 64).optional(),
  /** Where the engine trains: the CPU, or onnxruntime's CUDA provider where its CUDA binaries are installed. */
  device: z.enum(['cpu', 'cuda']).default('cpu'),
  /**
   * Keep the depthwise kernels as the backbone has them (their biases still train): the ONNX engine then runs
   * them in onnxruntime's fast blocked layout (docs/fast-path.md).
   */
  freezeDepthwise: z.boolean().default(true),
});
export type FastParams = z.output<typeof FastParamsSchema>;
export type FastParamsInput = z.input<typeof FastParamsSchema>;

export const DEFAULT_FAST_EPOCHS = 12;
export const WARM_START_EPOCHS = 4;
/**
 * Training photos each member sees by default: 12 epochs of grocery-store-dev's 1,900 (capped), 9 of
 * clothing's 2,900. Clothing at 9 epochs scored 0.930 in 283 s, at 8 epochs 0.925 in 252 s (docs/fast-path.md).
 */
export const PHOTOS_PER_MEMBER = 26_000;

/** Epochs that show about `photos` training photos when there are `trainPhotos`: 4 to `most`. */
export function epochsShowing(photos: number, trainPhotos: number, most: number): number {
  return Math.min(most, Math.max(4, Math.round(photos / Math.max(1, trainPhotos))));
}

/** Epochs of each member unless told: PHOTOS_PER_MEMBER over the training photos, 4 to 12 (4 for a warm start). */
export function defaultFastEpochs(trainPhotos: number, warmStart: boolean): number {
  return warmStart ? WARM_START_EPOCHS : epochsShowing(PHOTOS_PER_MEMBER, trainPhotos, DEFAULT_FAST_EPOCHS);
}
