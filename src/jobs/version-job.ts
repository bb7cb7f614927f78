// The one skeleton of every job that makes a model version (frozen training, fine-tuning, few-shot
// labels): create the row -> do the work -> write artefacts and evaluation summary atomically ->
// complete. A failure marks the row TRAINING_FAILED with the reason; a cancel removes it. Either way no
// version folder is left behind (artefacts are published in one rename).
import { sha256Hex } from '../dataset/index.js';
import { SkulensError, isSkulensError, reasonOf } from '../errors.js';
import { toRekognitionSummary, type EvaluationReport } from '../evaluate/index.js';
import type { HomeLayout } from '../home/index.js';
import { versionArn, versionId, writeVersionArtefacts, type ModelManifest, type Project, type Registry, type SnapshotEntry, type Version } from '../registry/index.js';
import { encodeHead, type Head } from '../train/index.js';

/** Progress of a long job: its phase and how far that phase has come. */
export interface JobProgress<Phase extends string> {
  phase: Phase;
  done: number;
  total: number;
  detail?: string;
}

/** What a version job's work produces; the skeleton turns it into artefacts, a summary and metrics. */
export interface VersionOutput {
  backbone: ModelManifest['backbone'];
  labels: string[];
  thresholds: number[];
  head: Head;
  /**
   * The parameters recorded in model.json. `taxonomy` (the one the version serves with) is the project's
   * when the job started, unless given here (a version made from another keeps that one's).
   */
  params: Record<string, unknown>;
  images: { train: number; test: number };
  report: EvaluationReport;
  snapshot: SnapshotEntry[];
  /** Extra JSON files (a tuning or fine-tuning report), by file name. */
  extra?: Record<string, unknown>;
  /** Extra binary files (a fine-tuned backbone), by file name. */
  files?: Record<string, Uint8Array>;
  /** Metrics stored on the row beyond accuracy, macro-F1, unknown rate, coverage, answered precision, untested labels and image counts. */
  metrics?: Record<string, unknown>;
}

export interface VersionJob<R> {
  project: Project;
  /** The row as created: backbone id, parameters and seed. */
  init: { backbone: string; params: Record<string, unknown>; seed: number };
  /** Told once the row exists, so a caller can show its id early. */
  onStart?: (version: Version) => void;
  signal?: AbortSignal;
  /** The work between the row and the artefacts. `checkCancelled` throws ERR_TRAINING_CANCELLED once the signal fired. */
  work(version: Version, checkCancelled: () => void): Promise<{ output: VersionOutput; result: R }>;
}

/**
 * Multi-label and groups projects train only through the jobs that know their heads (they record
 * params.labelType): the frozen path and the fast path, both types. A job that trains one softmax over
 * one label per photo (fine-tuning) is refused here, before any row exists, with a coded error that says
 * what to run instead.
 *
 * @throws SkulensError ERR_LABEL_TYPE_UNSUPPORTED
 */
export function assertLabelTypeSupported(registry: Registry, project: Project, params: Record<string, unknown>): void {
  const labelType = registry.projects.labelType(project.id);
  if (labelType === 'single' || params.labelType === labelType) return;
  const mode = typeof params.mode === 'string' ? `Training with --mode ${params.mode}` : 'This training';
  throw new SkulensError('ERR_LABEL_TYPE_UNSUPPORTED', { operation: mode, labelType, project: project.name, detail: 'it trains one softmax over one label per photo; train with --mode fast or --mode frozen, which cover single, multi and groups projects' });
}

/**
 * Runs a version job and resolves with the completed version and the work's own result.
 *
 * @throws SkulensError ERR_TRAINING_CANCELLED when cancelled (the row is removed); the work's own error
 *   otherwise (the row is TRAINING_FAILED with its reason).
 */
export async function runVersionJob<R>(registry: Registry, home: HomeLayout, job: VersionJob<R>): Promise<R & { version: Version }> {
  assertLabelTypeSupported(registry, job.project, job.init.params);
  // The taxonomy the version is trained (and evaluated) with is the one it serves with, whatever the project gets later.
  const taxonomy = registry.projects.labelType(job.project.id) === 'single' ? registry.taxonomies.get(job.project.id) : null;
  const version = registry.versions.create(job.project.id, job.init);
  job.onStart?.(version);
  const checkCancelled = (): void => {
    if (job.signal?.aborted) throw new SkulensError('ERR_TRAINING_CANCELLED', { version: versionId(version) });
  };
  try {
    const { output, result } = await job.work(version, checkCancelled);
    checkCancelled();
    const headBytes = encodeHead(output.head);
    const manifest: ModelManifest = {
      format: 'skulens-model/1',
      project: job.project.name,
      version: version.name,
      backbone: output.backbone,
      labels: output.labels,
      thresholds: output.thresholds,
      head: { file: 'head.bin', kind: output.head.kind, sha256: sha256Hex(headBytes) },
      params: { ...output.params, taxonomy: 'taxonomy' in output.params ? output.params.taxonomy : taxonomy },
      seed: version.seed,
      images: output.images,
      createdAt: version.createdAt,
    };
    const summary = toRekognitionSummary(output.report, { projectVersionArn: versionArn(version), evaluationEndTimestamp: new Date(), numberOfTrainingImages: output.images.train });
    const dir = await writeVersionArtefacts(home, { manifest, head: headBytes, evaluationSummary: summary, report: output.report, snapshot: output.snapshot, extra: output.extra, files: output.files });
    const { accuracy, macroF1, unknownRate, coverage, answeredPrecision, untested, thresholdsChosenOn } = output.report;
    const figures = { accuracy, macroF1, unknownRate, coverage, answeredPrecision, untested, ...(thresholdsChosenOn ? { thresholdsChosenOn } : {}) };
    const completed = registry.versions.complete(version.id, { dir, metrics: { ...figures, images: output.images, ...output.metrics } });
    return { ...result, version: completed };
  } catch (error) {
    if (isSkulensError(error, 'ERR_TRAINING_CANCELLED') || job.signal?.aborted) {
      registry.versions.delete(version.id);
      throw isSkulensError(error, 'ERR_TRAINING_CANCELLED') ? error : new SkulensError('ERR_TRAINING_CANCELLED', { version: versionId(version) }, { cause: error });
    }
    registry.versions.setStatus(version.id, 'TRAINING_FAILED', reasonOf(error));
    throw error;
  }
}
