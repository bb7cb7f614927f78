// A loaded model version: its head, labels and thresholds, plus the embedder of its backbone.
// Turns an image into Rekognition-shaped CustomLabels with the same decision rule as evaluation, for
// each label type: single (softmax; with the taxonomy the version was trained with, the deepest label that
// clears its threshold, with Parents), multi (a sigmoid per label) and groups (the best value of each group, and
// the composed name with the product of confidences).
import path from 'node:path';
import { FLIP_VIEW } from '../augment/index.js';
import { averageUnit, openEmbedder, versionBackbone, type EmbedInput, type Embedder } from '../backbone/index.js';
import { SkulensError } from '../errors.js';
import { decideLabels, decideWithTaxonomy, type DecidedLabel } from '../evaluate/index.js';
import { LabelTypeSchema, NONE_VALUE, TaxonomySchema, type LabelGroup, type LabelType, type Taxonomy } from '../labels/index.js';
import type { HomeLayout } from '../home/index.js';
import { readModel, versionArn, versionId, type ModelManifest, type Registry, type Version, type VersionRef } from '../registry/index.js';
import { decodeHead, groupedProbabilities, headProbabilities, sigmoidProbabilities, type Head } from '../train/index.js';

export interface DetectOptions {
  /** 0-100; when set it replaces each label's own threshold. */
  minConfidence?: number;
  maxResults?: number;
}

export interface Prediction {
  CustomLabels: DecidedLabel[];
  /** Groups projects: the best value of every group joined coarse to fine ("packages / arla / milk"), Confidence the product of theirs. */
  ComposedLabel?: DecidedLabel;
}

/** A model version ready to predict. Close it to release its embedder (when it owns one). */
export class Predictor {
  private constructor(
    readonly version: Version,
    readonly manifest: ModelManifest,
    private readonly head: Head,
    private readonly embedder: Embedder,
    private readonly ownsEmbedder: boolean,
    /** The taxonomy the version answers with (see {@link versionTaxonomy}). */
    private readonly taxonomyNow: () => Taxonomy | null,
  ) {}

  /** The taxonomy this version answers with: the one it was trained and evaluated with (null: flat labels). */
  get taxonomy(): Taxonomy | null {
    return this.labelType === 'single' ? this.taxonomyNow() : null;
  }

  /** The version's label type (model.json's params.labelType; single when absent, as for every older version). */
  get labelType(): LabelType {
    return LabelTypeSchema.catch('single').parse(this.manifest.params.labelType ?? 'single');
  }

  /** The groups of a groups version, in head order. */
  get groups(): LabelGroup[] {
    return (this.manifest.params.groups as LabelGroup[] | undefined) ?? [];
  }

  /** Loads a trained version. Pass `embedder` to share one backbone session between versions. */
  static async load(registry: Registry, home: HomeLayout, ref: VersionRef, options: { embedder?: Embedder; workers?: number } = {}): Promise<Predictor> {
    const version = registry.versions.get(ref.project, ref.name);
    if (version.status === 'TRAINING_IN_PROGRESS' || version.status === 'TRAINING_FAILED' || version.dir === null) {
      throw new SkulensError('ERR_VERSION_NOT_READY', { version: versionId(version), status: version.status, wanted: 'trained' });
    }
    const { manifest, head: headBytes } = await readModel(home, version.dir);
    const head = decodeHead(headBytes);
    // A fine-tuned version carries its own backbone row and ONNX file; others name a table row.
    const spec = versionBackbone(manifest.backbone, home.models, path.resolve(home.root, version.dir));
    if (options.embedder && options.embedder.spec.id !== spec.id) {
      throw new SkulensError('ERR_BACKBONE_RUNTIME', { backbone: spec.id, detail: `the shared embedder runs ${options.embedder.spec.id}` });
    }
    const embedder = options.embedder ?? (await openEmbedder(spec, { modelsDir: home.models, workers: options.workers }));
    return new Predictor(version, manifest, head, embedder, options.embedder === undefined, versionTaxonomy(registry, version, manifest));
  }

  get arn(): string {
    return versionArn(this.version);
  }

  /** Per-label probabilities of one image, in manifest label order (a softmax per group for groups, a sigmoid per label for multi). */
  async probabilities(input: EmbedInput): Promise<Float32Array> {
    // A version evaluated with flip test-time augmentation must be served the same way, or its
    // predictions would not match its evaluation.
    if (this.manifest.params.tta === 'flip') {
      const [plain, mirrored] = await Promise.all([this.embedder.embed(input), this.embedder.embed({ ...input, view: FLIP_VIEW })]);
      return this.read(averageUnit(plain, mirrored));
    }
    return this.read(await this.embedder.embed(input));
  }

  private read(embedding: Float32Array): Float32Array {
    const type = this.labelType;
    if (type === 'multi') return sigmoidProbabilities(this.head, embedding);
    if (type === 'groups') return groupedProbabilities(this.head, embedding, this.groups.map((g) => g.values.length));
    return headProbabilities(this.head, embedding);
  }

  /** DetectCustomLabels for one image. An empty list means "not in the catalogue". */
  async detect(input: EmbedInput, options: DetectOptions = {}): Promise<Prediction> {
    const probs = await this.probabilities(input);
    const { labels, thresholds } = this.manifest;
    const type = this.labelType;
    if (type === 'groups') return decideGroups(this.groups, labels, probs, thresholds, options);
    const taxonomy = this.taxonomy;
    return { CustomLabels: taxonomy ? decideWithTaxonomy(labels, probs, thresholds, taxonomy, options) : decideLabels(labels, probs, thresholds, options) };
  }

  async close(): Promise<void> {
    if (this.ownsEmbedder) await this.embedder.close();
  }
}

/**
 * The taxonomy a version answers with: the one recorded in its model.json when it was trained (null for
 * none), so a taxonomy given or changed later never changes answers that were evaluated without it. A
 * version written before versions recorded it (no `taxonomy` parameter) follows the project's current one.
 */
function versionTaxonomy(registry: Registry, version: Version, manifest: ModelManifest): () => Taxonomy | null {
  if (!('taxonomy' in manifest.params)) return () => registry.taxonomies.get(version.projectId);
  const recorded = manifest.params.taxonomy === null ? null : TaxonomySchema.parse(manifest.params.taxonomy);
  return () => recorded;
}

/**
 * The best value of each group, answered when it clears its threshold (or MinConfidence) and is a value
 * (not NONE_VALUE); the composed name joins every group's best value (NONE_VALUE left out), its
 * confidence the product of theirs.
 */
function decideGroups(groups: readonly LabelGroup[], labels: readonly string[], probs: Float32Array, thresholds: readonly number[], options: DetectOptions): Prediction {
  const decided: DecidedLabel[] = [];
  const names: string[] = [];
  let product = 1;
  let offset = 0;
  for (const group of groups) {
    const segment = probs.subarray(offset, offset + group.values.length);
    const segmentLabels = labels.slice(offset, offset + group.values.length);
    let best = 0;
    for (let k = 1; k < segment.length; k++) if (segment[k]! > segment[best]!) best = k;
    const passing = decideLabels(segmentLabels, segment, thresholds.slice(offset, offset + group.values.length), { minConfidence: options.minConfidence });
    const answer = passing.find((d) => d.Name === segmentLabels[best]);
    if (group.values[best] !== NONE_VALUE) {
      if (answer) decided.push(answer);
      names.push(group.values[best]!);
      product *= segment[best]!;
    }
    offset += group.values.length;
  }
  decided.sort((a, b) => b.Confidence - a.Confidence);
  const CustomLabels = options.maxResults === undefined ? decided : decided.slice(0, options.maxResults);
  return { CustomLabels, ...(names.length > 0 ? { ComposedLabel: { Name: names.join(' / '), Confidence: product * 100 } } : {}) };
}
