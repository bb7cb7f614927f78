// The training modes as one frozen table. Each row carries the mode's parameter schema (the job validates
// with it once; the CLI's flags, CreateProjectVersion's <Mode>Options fields, the OpenAPI document and the
// console's form are derived from it), the options the edges expose, the label types it trains and its run
// function. Adding a mode is adding a row, its run function and its docs page.
import type { z } from 'zod';
import type { EvaluationReport } from '../evaluate/index.js';
import type { HomeLayout } from '../home/index.js';
import type { LabelType } from '../labels/index.js';
import type { Registry, Version } from '../registry/index.js';
import type { JobQueue } from '../queue/index.js';
import type { JobProgress } from './version-job.js';
import { checkFastPath, fastVersion, FastParamsSchema } from './fast-version.js';
import { fineTuneVersion, FineTuneParamsSchema } from './fine-tune.js';
import { trainVersion, TrainParamsSchema } from './train-version.js';

export type ModeName = 'fast' | 'frozen' | 'fine-tune';

/** One option a mode shows at the edges: its job parameter, its CLI flag and HTTP field, and a help line. */
export interface ModeOption {
  key: string;
  /** The CLI flag without dashes (default: the key in kebab-case). */
  flag: string;
  /** The field of CreateProjectVersion's <Mode>Options (default: the key in PascalCase). */
  field: string;
  /** The CLI's value name, e.g. `n`; none for an on/off switch. */
  value?: string;
  help: string;
}

/** What every mode's run function takes besides its parameters. */
export interface ModeRunOptions {
  onProgress?: (progress: JobProgress<string>) => void;
  onStart?: (version: Version) => void;
  /** The engine's messages (fast and fine-tune), for logs and benchmarks. */
  onEngineMessage?: (message: { type: string } & Record<string, unknown>) => void;
  /** Told when the mode trains another one instead (the fast path's fallback to frozen), with why. */
  onFallback?: (mode: ModeName, reason: string) => void;
  signal?: AbortSignal;
  /** The frozen mode's embedding queue (CLI --redis): workers embed what the home's cache lacks. */
  queue?: JobQueue;
}

export interface ModeResult {
  version: Version;
  report: EvaluationReport;
  trainSeconds: number;
}

export interface TrainingMode {
  name: ModeName;
  summary: string;
  docs: string;
  /** The job's parameter schema (validated once, at the edge). */
  schema: z.ZodObject<z.ZodRawShape>;
  options: readonly ModeOption[];
  labelTypes: readonly LabelType[];
  run(registry: Registry, home: HomeLayout, project: string, params: Record<string, unknown>, options?: ModeRunOptions): Promise<ModeResult>;
}

const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const pascal = (key: string): string => key[0]!.toUpperCase() + key.slice(1);

/** An option row with its default flag and field names. */
function option(key: string, help: string, extra: Partial<Omit<ModeOption, 'key' | 'help'>> = {}): ModeOption {
  return { key, flag: extra.flag ?? kebab(key), field: extra.field ?? pascal(key), help, ...('value' in extra ? { value: extra.value } : { value: 'value' }) };
}

const ALL_LABEL_TYPES: readonly LabelType[] = ['single', 'multi', 'groups'];

/** The modes: `fast` is the default everywhere (CLI, API, console, demo, bench). */
export const TRAINING_MODES: Readonly<Record<ModeName, TrainingMode>> = Object.freeze({
  fast: {
    name: 'fast',
    summary: 'trains the top blocks of the backbone on cached activations with onnxruntime (no Python), then a head',
    docs: 'docs/fast-path.md',
    schema: FastParamsSchema as unknown as z.ZodObject<z.ZodRawShape>,
    options: [
      option('epochs', 'passes of each member over the training photos (default: 26,000 photos a member, 4 to 12; 4 with from)', { value: 'n' }),
      option('cut', 'cut the backbone at the end of the stage with this many channels (default 96)', { value: 'channels' }),
      option('views', 'cached views per photo, the centre crop plus random crops (default 2)', { value: 'n' }),
      option('members', 'copies of the trained blocks with different seeds, served together (default 2; 1 halves training and serving time)', { value: 'n' }),
      option('budgetSeconds', 'wall-clock budget of the training, e.g. 10m', { flag: 'budget', value: 'time' }),
      option('from', "continue from this fast version's trained blocks and head (same backbone and cut): v3, <project>/v3 or an ARN", { value: 'version' }),
      option('device', "cpu (default) | cuda (onnxruntime's CUDA provider)", { value: 'device' }),
    ],
    labelTypes: ALL_LABEL_TYPES,
    run: async (registry, home, project, params, options = {}) => {
      const check = await checkFastPath(home, params);
      if (check.ok) return fastVersion(registry, home, project, params, options as never);
      // The fallback keeps what still applies (backbone, seed, workers) and says why in the version.
      options.onFallback?.('frozen', check.reason);
      const frozen = { backbone: params.backbone, seed: params.seed, workers: params.workers, fallback: check.reason };
      return trainVersion(registry, home, project, Object.fromEntries(Object.entries(frozen).filter(([, v]) => v !== undefined)), options as never);
    },
  },
  frozen: {
    name: 'frozen',
    summary: 'embeds each photo once with the frozen backbone and trains a tuned head',
    docs: 'docs/training.md',
    schema: TrainParamsSchema as unknown as z.ZodObject<z.ZodRawShape>,
    options: [
      option('C', "inverse L2 strength of the logistic head, or 'auto' (grouped 3-fold CV on the training images; default)", { flag: 'c', value: 'value' }),
      option('classWeights', 'balanced | none (older alias of balance weights|none)', { value: 'mode' }),
      option('balance', 'auto | weights | oversample | undersample | none; auto decides from the imbalance ratio', { value: 'mode' }),
      option('augment', 'none (default) | light | strong | a list such as flip,crop:0.3,rotate:10,views:2', { value: 'policy' }),
      option('tta', 'test-time augmentation of the evaluation: none (default) | flip', { value: 'mode' }),
      option('tune', 'search head type, learning rate, epochs, balance and augmentation by grouped CV (default on)', { value: undefined }),
      option('maxTrials', 'search at most this many configurations, in plan order (default 2 with tuning)', { value: 'n' }),
      option('budgetSeconds', 'outer time cap of the search, e.g. 90s, 5m (default 30m)', { flag: 'budget', value: 'time' }),
      option('targetPrecision', "fit each label's threshold for this precision (0-1] instead of best F1", { value: 'p' }),
    ],
    labelTypes: ALL_LABEL_TYPES,
    run: (registry, home, project, params, options = {}) => trainVersion(registry, home, project, params, options as never),
  },
  'fine-tune': {
    name: 'fine-tune',
    summary: 'trains the whole backbone from its input (onnxruntime; or PyTorch with engine torch)',
    docs: 'docs/fine-tuning.md',
    schema: FineTuneParamsSchema as unknown as z.ZodObject<z.ZodRawShape>,
    options: [
      option('epochs', 'passes over the training photos (default: 26,000 photos, 4 to 12; 3 with from); exact when given', { value: 'n' }),
      option('unfreeze', 'train all layers or only the last N blocks (default all)', { value: 'all|N-blocks' }),
      option('budgetSeconds', 'the whole job, e.g. 30m: the plan is fitted to it before training (no limit unless given)', { flag: 'budget', value: 'time' }),
      option('from', "continue from this fine-tuned or fast version's backbone: v3, <project>/v3 or an ARN", { value: 'version' }),
      option('engine', 'onnx (default: onnxruntime, in Node) | torch (the PyTorch engine, python3-torch)', { value: 'engine' }),
      option('device', 'auto (default) | cpu | cuda | mps (mps: engine torch)', { value: 'device' }),
      option('members', 'copies of the network trained with different seeds, served together (default 1; engine onnx)', { value: 'n' }),
    ],
    labelTypes: ALL_LABEL_TYPES,
    run: (registry, home, project, params, options = {}) => fineTuneVersion(registry, home, project, params, options as never),
  },
});

/** The modes' names, in the table's order. */
export const MODE_NAMES = Object.keys(TRAINING_MODES) as [ModeName, ...ModeName[]];

/** The mode every edge trains when none is named. */
export const DEFAULT_MODE: ModeName = 'fast';

/** Options every mode takes (the CLI and the API also show them outside <Mode>Options). */
export const COMMON_OPTIONS: readonly ModeOption[] = Object.freeze([
  option('backbone', 'backbone id (see `skulens backbones list`)', { value: 'id' }),
  option('seed', 'random seed; same data and seed give the same model (default 1)', { value: 'n' }),
  option('workers', 'embedding workers (default: one per core, at most 2)', { value: 'n' }),
]);
