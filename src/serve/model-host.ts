// Owns the started model versions of a server: StartProjectVersion loads a Predictor (STARTING ->
// RUNNING), StopProjectVersion releases it (STOPPING -> STOPPED). Versions on one backbone share a
// single embedder (worker pool), counted by reference and closed when the last one stops. A start or a
// stop is also recorded as the version's desired state (keep_running), which the host follows when the
// server comes up (recover) and while it runs (reconcile: `skulens versions start|stop` from the CLI).
import path from 'node:path';
import { openEmbedder, versionBackbone, type BackboneSpec, type Embedder } from '../backbone/index.js';
import { SkulensError, reasonOf } from '../errors.js';
import type { HomeLayout } from '../home/index.js';
import { readModel, versionId, type Registry, type Version, type VersionStatus } from '../registry/index.js';
import { Predictor } from '../predict/index.js';

interface SharedEmbedder {
  ready: Promise<Embedder>;
  refs: number;
}

interface Started {
  /** Key of the shared embedder: the backbone id, or id + file for a version's own (fine-tuned) backbone. */
  backbone?: string;
  /** Resolves once loaded; rejects if loading failed. */
  ready: Promise<Predictor>;
  predictor?: Predictor;
  stopRequested: boolean;
}

export interface ModelHostOptions {
  /** Worker threads per backbone; default min(2, cores). */
  workers?: number;
  /** Told when a start fails in the background (the version goes back to STOPPED with the reason). */
  onError?: (version: Version, error: unknown) => void;
}

/** Statuses in which a version is loaded or loading in some server. */
const LIVE: readonly VersionStatus[] = ['STARTING', 'RUNNING', 'STOPPING'];

/** The started versions of one server process. One host per home: statuses live in its database. */
export class ModelHost {
  private readonly started = new Map<number, Started>();
  private readonly embedders = new Map<string, SharedEmbedder>();

  constructor(
    private readonly registry: Registry,
    private readonly home: HomeLayout,
    private readonly options: ModelHostOptions = {},
  ) {}

  /**
   * At server start: a server that went down left versions STARTING/RUNNING/STOPPING that nothing holds now.
   * Those wanted running (and those a CLI asked for meanwhile) start loading again; the others are STOPPED.
   * Returns the versions it started loading.
   */
  recover(): Version[] {
    const started: Version[] = [];
    for (let version of this.registry.versions.all()) {
      if (this.started.has(version.id)) continue;
      if (LIVE.includes(version.status)) {
        this.registry.versions.setStatus(version.id, 'STOPPED', 'The server that had started it stopped');
        version = this.registry.versions.byId(version.id);
      }
      if (version.keepRunning && this.startWanted(version)) started.push(version);
    }
    return started;
  }

  /**
   * Brings what this server holds in line with the desired states in the registry (the CLI's `versions
   * start|stop` write them there): starts wanted versions it does not hold, stops held ones no longer
   * wanted. The server calls it on a short timer; cheap (one query) when nothing changed.
   */
  reconcile(): void {
    for (const version of this.registry.versions.all()) {
      const entry = this.started.get(version.id);
      if (version.keepRunning && !entry && (version.status === 'TRAINING_COMPLETED' || version.status === 'STOPPED')) this.startWanted(version);
      else if (!version.keepRunning && entry && !entry.stopRequested) this.stop(version);
    }
  }

  /** Starts a version wanted running; one that cannot start is no longer wanted (its status says why). */
  private startWanted(version: Version): boolean {
    try {
      this.start(version);
      return true;
    } catch (error) {
      this.registry.versions.setKeepRunning(version.id, false);
      this.options.onError?.(version, error);
      return false;
    }
  }

  /**
   * Starts loading `version` and returns its new status at once (STARTING, or RUNNING if it already runs).
   * `whenReady` of the returned object settles when loading ends. The version is wanted running from now on,
   * across restarts, until it is stopped; a load that fails leaves it STOPPED (with the reason) and unwanted.
   */
  start(version: Version): { status: VersionStatus; whenReady: Promise<void> } {
    const current = this.started.get(version.id);
    if (current) return { status: current.predictor ? 'RUNNING' : 'STARTING', whenReady: current.ready.then(() => undefined) };
    if (version.dir === null || !['TRAINING_COMPLETED', 'STOPPED'].includes(version.status)) {
      throw new SkulensError('ERR_VERSION_NOT_READY', { version: versionId(version), status: version.status, wanted: 'TRAINING_COMPLETED or STOPPED' });
    }
    const entry: Started = { ready: Promise.resolve(undefined as never), stopRequested: false };
    this.registry.versions.setKeepRunning(version.id, true);
    this.registry.versions.setStatus(version.id, 'STARTING');
    entry.ready = this.load(version, entry);
    this.started.set(version.id, entry);
    const whenReady = entry.ready.then(
      () => undefined,
      (error: unknown) => {
        this.started.delete(version.id);
        this.registry.versions.setKeepRunning(version.id, false);
        this.registry.versions.setStatus(version.id, 'STOPPED', `Could not start: ${reasonOf(error)}`);
        this.options.onError?.(version, error);
      },
    );
    return { status: 'STARTING', whenReady };
  }

  private async load(version: Version, entry: Started): Promise<Predictor> {
    // Resolve the backbone as the Predictor does: a table row, or the version's own fine-tuned one.
    const dir = path.resolve(this.home.root, version.dir!);
    const spec = versionBackbone((await readModel(this.home, version.dir!)).manifest.backbone, this.home.models, dir);
    const key = spec.weights.source === 'file' && path.isAbsolute(spec.weights.file) ? `${spec.id}@${spec.weights.file}` : spec.id;
    const embedder = await this.acquire(key, spec);
    entry.backbone = key;
    let predictor: Predictor;
    try {
      predictor = await Predictor.load(this.registry, this.home, { project: version.project, name: version.name }, { embedder });
    } catch (error) {
      await this.release(key);
      throw error;
    }
    entry.predictor = predictor;
    if (entry.stopRequested) await this.finishStop(version.id, entry);
    else this.registry.versions.setStatus(version.id, 'RUNNING');
    return predictor;
  }

  /**
   * Stops `version`: detects fail at once, and its head and its share of the backbone are released; it is
   * no longer wanted running. Returns STOPPING; the row says STOPPED once released (`whenStopped`).
   */
  stop(version: Version): { status: VersionStatus; whenStopped: Promise<void> } {
    const entry = this.started.get(version.id);
    if (!entry) {
      throw new SkulensError('ERR_VERSION_NOT_READY', { version: versionId(version), status: version.status, wanted: 'RUNNING or STARTING' });
    }
    this.registry.versions.setKeepRunning(version.id, false);
    if (entry.stopRequested) return { status: 'STOPPING', whenStopped: entry.ready.then(() => undefined, () => undefined) };
    entry.stopRequested = true;
    this.registry.versions.setStatus(version.id, 'STOPPING');
    // A version still loading stops when its load ends (see load); a running one stops now.
    const whenStopped = entry.predictor ? this.finishStop(version.id, entry) : entry.ready.then(() => undefined, () => undefined);
    return { status: 'STOPPING', whenStopped };
  }

  private async finishStop(id: number, entry: Started): Promise<void> {
    this.started.delete(id);
    entry.predictor = undefined;
    if (entry.backbone) await this.release(entry.backbone);
    this.registry.versions.setStatus(id, 'STOPPED');
  }

  /** The predictor of a RUNNING version; anything else is ResourceNotReadyException. */
  predictor(version: Version): Predictor {
    const entry = this.started.get(version.id);
    if (!entry?.predictor || entry.stopRequested) {
      const status = entry ? (entry.stopRequested ? 'STOPPING' : 'STARTING') : version.status;
      throw new SkulensError('ERR_VERSION_NOT_READY', { version: versionId(version), status, wanted: 'RUNNING' });
    }
    return entry.predictor;
  }

  /** True while `version` is loaded or loading here. */
  holds(versionId: number): boolean {
    return this.started.has(versionId);
  }

  /** Loaded backbones and how many started versions share each (for /health and tests). */
  backbones(): { backbone: string; versions: number }[] {
    return [...this.embedders.entries()].map(([backbone, shared]) => ({ backbone, versions: shared.refs }));
  }

  /** Stops everything and closes the embedders (server shutdown); rows go to STOPPED, still wanted running. */
  async close(): Promise<void> {
    const ids = [...this.started.keys()];
    await Promise.all(
      ids.map(async (id) => {
        const entry = this.started.get(id)!;
        entry.stopRequested = true;
        await entry.ready.catch(() => undefined);
        if (this.started.has(id)) await this.finishStop(id, entry);
      }),
    );
  }

  private acquire(backbone: string, spec: BackboneSpec): Promise<Embedder> {
    let shared = this.embedders.get(backbone);
    if (!shared) {
      shared = { ready: openEmbedder(spec, { modelsDir: this.home.models, workers: this.options.workers }), refs: 0 };
      this.embedders.set(backbone, shared);
      shared.ready.catch(() => this.embedders.delete(backbone));
    }
    shared.refs += 1;
    return shared.ready;
  }

  private async release(backbone: string): Promise<void> {
    const shared = this.embedders.get(backbone);
    if (!shared) return;
    shared.refs -= 1;
    if (shared.refs > 0) return;
    this.embedders.delete(backbone);
    await (await shared.ready).close();
  }
}
