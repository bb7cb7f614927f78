// A loaded model version: its head, labels and thresholds, plus the embedder of its backbone.
// Turns an image into Rekognition-shaped CustomLabels with the same decision rule as evaluation.
import path from 'node:path';
import { FLIP_VIEW } from '../augment/index.js';
import { averageUnit, openEmbedder, versionBackbone, type EmbedInput, type Embedder } from '../backbone/index.js';
import { SkulensError } from '../errors.js';
import { decideLabels, type DecidedLabel } from '../evaluate/index.js';
import type { HomeLayout } from '../home/index.js';
import { readModel, versionArn, versionId, type ModelManifest, type Registry, type Version, type VersionRef } from '../registry/index.js';
import { decodeHead, headProbabilities, type Head } from '../train/index.js';

export interface DetectOptions {
  /** 0-100; when set it replaces each label's own threshold. */
  minConfidence?: number;
  maxResults?: number;
}

export interface Prediction {
  CustomLabels: DecidedLabel[];
}

/** A model version ready to predict. Close it to release its embedder (when it owns one). */
export class Predictor {
  private constructor(
    readonly version: Version,
    readonly manifest: ModelManifest,
    private readonly head: Head,
    private readonly embedder: Embedder,
    private readonly ownsEmbedder: boolean,
  ) {}

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
    return new Predictor(version, manifest, head, embedder, options.embedder === undefined);
  }

  get arn(): string {
    return versionArn(this.version);
  }

  /** Per-label probabilities of one image, in manifest label order. */
  async probabilities(input: EmbedInput): Promise<Float32Array> {
    // A version evaluated with flip test-time augmentation must be served the same way, or its
    // predictions would not match its evaluation.
    if (this.manifest.params.tta === 'flip') {
      const [plain, mirrored] = await Promise.all([this.embedder.embed(input), this.embedder.embed({ ...input, view: FLIP_VIEW })]);
      return headProbabilities(this.head, averageUnit(plain, mirrored));
    }
    return headProbabilities(this.head, await this.embedder.embed(input));
  }

  /** DetectCustomLabels for one image. An empty list means "not in the catalogue". */
  async detect(input: EmbedInput, options: DetectOptions = {}): Promise<Prediction> {
    const probs = await this.probabilities(input);
    return { CustomLabels: decideLabels(this.manifest.labels, probs, this.manifest.thresholds, options) };
  }

  async close(): Promise<void> {
    if (this.ownsEmbedder) await this.embedder.close();
  }
}
