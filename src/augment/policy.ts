// Augmentation policies: the frozen table of presets (none, light, strong), the parser of
// `--augment none|light|strong|<list>`, and the seeded draw of concrete views for one image.
import { createHash } from 'node:crypto';
import { SkulensError } from '../errors.js';
import { mulberry32 } from '../random.js';
import type { AugmentOp, AugmentView } from './ops.js';

export const OP_NAMES = Object.freeze(['crop', 'flip', 'rotate', 'brightness', 'contrast', 'saturation', 'hue'] as const);
export type OpName = (typeof OP_NAMES)[number];

/**
 * How many augmented views each training image gets, and each operation's strength:
 * crop = largest area fraction cut away (area kept in [1 - s, 1]); flip = probability; rotate and hue =
 * largest angle in degrees; brightness, contrast, saturation = largest relative change (factor in [1 - s, 1 + s]).
 */
export interface AugmentPolicy {
  name: string;
  views: number;
  strengths: Partial<Record<OpName, number>>;
}

/** The presets. `light` is one mild view that always flips; `strong` three views of every operation. */
export const AUGMENT_PRESETS: Readonly<Record<'none' | 'light' | 'strong', AugmentPolicy>> = Object.freeze({
  none: { name: 'none', views: 0, strengths: {} },
  light: { name: 'light', views: 1, strengths: { flip: 1, crop: 0.15, brightness: 0.1, contrast: 0.1 } },
  strong: { name: 'strong', views: 3, strengths: { flip: 0.5, crop: 0.5, rotate: 15, brightness: 0.3, contrast: 0.3, saturation: 0.3, hue: 10 } },
});

/** Upper bounds that keep a view recognisable. */
const MAX_STRENGTH: Readonly<Record<OpName, number>> = Object.freeze({ crop: 0.9, flip: 1, rotate: 45, brightness: 0.9, contrast: 0.9, saturation: 1, hue: 180 });
const DEFAULT_STRENGTH: Readonly<Record<OpName, number>> = Object.freeze({ crop: 0.3, flip: 0.5, rotate: 10, brightness: 0.2, contrast: 0.2, saturation: 0.2, hue: 5 });

function invalid(detail: string): SkulensError {
  return new SkulensError('ERR_ARGUMENT_INVALID', { field: '--augment', detail });
}

/**
 * Parses `none`, `light`, `strong` or a list such as `flip,crop:0.3,rotate:10,views:2`
 * (an operation without a strength takes its default; `views` defaults to 1).
 */
export function parseAugment(spec: string): AugmentPolicy {
  const text = spec.trim();
  if (text in AUGMENT_PRESETS) return AUGMENT_PRESETS[text as keyof typeof AUGMENT_PRESETS];
  const strengths: Partial<Record<OpName, number>> = {};
  let views = 1;
  for (const item of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    const [name = '', value] = item.split(':');
    const number = value === undefined ? undefined : Number(value);
    if (value !== undefined && !Number.isFinite(number)) throw invalid(`"${item}": the strength must be a number`);
    if (name === 'views') {
      if (number === undefined || !Number.isInteger(number) || number < 1 || number > 8) throw invalid(`"${item}": views must be an integer from 1 to 8`);
      views = number;
      continue;
    }
    if (!(OP_NAMES as readonly string[]).includes(name)) {
      throw invalid(`unknown "${name}". Should be none, light, strong or a list of: ${OP_NAMES.join(', ')}, views`);
    }
    const op = name as OpName;
    const strength = number ?? DEFAULT_STRENGTH[op];
    if (!(strength >= 0 && strength <= MAX_STRENGTH[op])) throw invalid(`"${item}": ${op} takes a strength from 0 to ${MAX_STRENGTH[op]}`);
    strengths[op] = strength;
  }
  if (Object.keys(strengths).length === 0) throw invalid(`"${spec}" names no operation`);
  return { name: text, views, strengths };
}

/** mulberry32, seeded from the training seed, the image hash and the view index, so views do not depend on order. */
function randomFor(seed: number, sha256: string, index: number): () => number {
  return mulberry32((Number.parseInt(sha256.slice(0, 8), 16) ^ Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
}

const round = (x: number): number => Math.round(x * 1e4) / 1e4;

/** A view's cache key: a short hash of its operations. */
export function viewKey(ops: readonly AugmentOp[]): string {
  return createHash('sha256').update(JSON.stringify(ops)).digest('hex').slice(0, 16);
}

/** The horizontal mirror view, used for test-time augmentation. */
export const FLIP_VIEW: AugmentView = Object.freeze({ key: 'flip', ops: [{ op: 'flip' as const }] });

/**
 * The concrete views of one image under `policy`: same seed, image and policy give the same views.
 *
 * @example
 * drawViews(AUGMENT_PRESETS.light, 1, entry.sha256); // [{ key: '3f0c...', ops: [{ op: 'crop', ... }, { op: 'flip' }, ...] }]
 */
export function drawViews(policy: AugmentPolicy, seed: number, sha256: string): AugmentView[] {
  const s = policy.strengths;
  return Array.from({ length: policy.views }, (_, index) => {
    const random = randomFor(seed, sha256, index);
    const uniform = (a: number, b: number): number => a + (b - a) * random();
    const ops: AugmentOp[] = [];
    if (s.crop) {
      const area = uniform(1 - s.crop, 1);
      const aspect = Math.exp(uniform(-1, 1) * s.crop * Math.log(4 / 3));
      const width = Math.min(1, Math.sqrt(area * aspect));
      const height = Math.min(1, Math.sqrt(area / aspect));
      ops.push({ op: 'crop', left: round(uniform(0, 1 - width)), top: round(uniform(0, 1 - height)), width: round(width), height: round(height) });
    }
    if (s.flip && random() < s.flip) ops.push({ op: 'flip' });
    if (s.rotate) ops.push({ op: 'rotate', degrees: round(uniform(-s.rotate, s.rotate)) });
    if (s.brightness) ops.push({ op: 'brightness', factor: round(uniform(1 - s.brightness, 1 + s.brightness)) });
    if (s.contrast) ops.push({ op: 'contrast', factor: round(uniform(1 - s.contrast, 1 + s.contrast)) });
    if (s.saturation) ops.push({ op: 'saturation', factor: round(uniform(1 - s.saturation, 1 + s.saturation)) });
    if (s.hue) ops.push({ op: 'hue', degrees: Math.round(uniform(-s.hue, s.hue)) });
    return { key: viewKey(ops), ops };
  });
}
