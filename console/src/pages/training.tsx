// Training: the common options with their defaults in one line each, the mode (frozen, fast,
// fine-tune) with a fine-tune's own options and warm start, a live progress view of the version in
// training (phase, bar, elapsed and remaining, epoch curves, cancel) and, when done, its summary and
// training report (epoch curves, plan, tuning report).
import { useRef, useState } from 'preact/hooks';
import { call, may } from '../api.js';
import { ErrorLine, pct, ProgressBar, seconds } from '../components.js';
import { EpochChart, pointOf, type EpochPoint } from '../epoch-chart.js';
import { TrainingReport } from '../training-report.js';
import { useVersions, type VersionDescription } from '../versions.js';
import { FineTuneFields, fineTuneOptions, NO_OPTIONS, OPTION_MODES, type FineTuneForm } from './training-options.js';

const MODES = [
  ['frozen', 'Frozen: embeddings of a pretrained backbone and a tuned head. Minutes on a CPU; the API default.'],
  ['fast', 'Fast: frozen plus a short fine-tune of the last layers (needs PyTorch on the server).'],
  ['fine-tune', 'Fine-tune: trains the backbone too; best accuracy, slowest (needs PyTorch).'],
] as const;

const DEFAULTS = [
  ['Augmentation', 'light: flips and small crops of each training photo'],
  ['Balance', 'auto: class weights when the largest label has 1.5× the images of the smallest'],
  ['Budget', 'the tuner stops trying head settings after its time budget'],
  ['Target precision', 'none: each label’s threshold maximises its F1 on held-out folds'],
] as const;

/** "embed 40/120 (3 cached)" -> its parts. */
function parseProgress(message: string | undefined): { phase: string; done: number; total: number; detail?: string } | undefined {
  const match = /^(\w[\w-]*) (\d+)\/(\d+)(?: \((.*)\))?$/.exec(message ?? '');
  return match ? { phase: match[1]!, done: Number(match[2]), total: Number(match[3]), detail: match[4] } : undefined;
}

function Live({ version, onCancel }: { version: VersionDescription; onCancel: () => void }) {
  const phaseStart = useRef<{ phase: string; at: number } | undefined>(undefined);
  // Epoch points seen in StatusMessage while this page is open (the report has them all once done).
  const points = useRef<EpochPoint[]>([]);
  const [cancelling, setCancelling] = useState(false);
  const [error, setError] = useState('');
  const point = pointOf(version.StatusMessage);
  const lastPoint = points.current.at(-1);
  if (point && (lastPoint?.epoch !== point.epoch || lastPoint.valAccuracy !== point.valAccuracy)) points.current = [...points.current.filter((p) => p.epoch !== point.epoch), point];
  const progress = parseProgress(version.StatusMessage);
  const now = Date.now();
  if (progress && phaseStart.current?.phase !== progress.phase) phaseStart.current = { phase: progress.phase, at: now };
  const fraction = progress && progress.total > 0 ? progress.done / progress.total : 0;
  const inPhase = phaseStart.current ? (now - phaseStart.current.at) / 1000 : 0;
  const remaining = fraction > 0.05 ? (inPhase * (1 - fraction)) / fraction : NaN;
  const cancel = async () => {
    setError('');
    setCancelling(true);
    try {
      // StopProjectVersion on a training version cancels it; the job then removes the version.
      await call('StopProjectVersion', { ProjectVersionArn: version.ProjectVersionArn });
      onCancel();
    } catch (e) {
      setCancelling(false);
      setError((e as Error).message);
    }
  };
  return (
    <section class="card" aria-live="polite" aria-labelledby="live-title">
      <h2 id="live-title">Training {version.VersionName}</h2>
      <p>
        Phase <strong>{progress?.phase ?? 'starting'}</strong> {progress ? `${progress.done}/${progress.total}` : ''} {progress?.detail ? `· ${progress.detail}` : ''}
      </p>
      <ProgressBar fraction={fraction} label={`${progress?.phase ?? 'training'} progress`} />
      <p class="hint">
        Elapsed {seconds(now / 1000 - version.CreationTimestamp)} · this phase about {seconds(remaining)} left
      </p>
      {points.current.length > 0 && <EpochChart points={points.current} title={`${version.VersionName}: training loss by epoch, validation accuracy after each epoch (live)`} />}
      {may('train') && (
        <button type="button" class="danger" disabled={cancelling} onClick={cancel}>
          {cancelling ? 'Cancelling…' : `Cancel ${version.VersionName}`}
        </button>
      )}
      <ErrorLine error={error} />
    </section>
  );
}

export function TrainingPage({ project }: { project: string }) {
  const [nonce, setNonce] = useState(0);
  const versions = useVersions(project, false, nonce);
  const [backbone, setBackbone] = useState('');
  const [mode, setMode] = useState<string>('frozen');
  const [seed, setSeed] = useState('');
  const [tune, setTune] = useState<FineTuneForm>(NO_OPTIONS);
  const [error, setError] = useState('');
  const [cancelled, setCancelled] = useState<string[]>([]);
  const all = versions.value ?? [];
  const training = all.filter((v) => v.Status === 'TRAINING_IN_PROGRESS');
  const last = all.find((v) => v.Status !== 'TRAINING_IN_PROGRESS');
  const gone = cancelled.filter((name) => versions.value && !all.some((v) => v.VersionName === name));
  // A fine-tune continues a fine-tuned or fast version; the fast path only a fast one (same blocks).
  const warmFrom = all.filter((v) => v.EvaluationResult && (v.TrainingMode === 'fast' || (mode === 'fine-tune' && v.TrainingMode === 'fine-tune')));
  const train = async (event: Event) => {
    event.preventDefault();
    setError('');
    try {
      const field = OPTION_MODES[mode];
      const options = field ? fineTuneOptions(tune, mode) : {};
      await call('CreateProjectVersion', {
        ProjectArn: project,
        ...(backbone.trim() ? { Backbone: backbone.trim() } : {}),
        // Sent only for a mode other than the API's default (frozen).
        ...(mode !== 'frozen' ? { Mode: mode } : {}),
        ...(seed.trim() ? { Seed: Number(seed) } : {}),
        ...(field && Object.keys(options).length ? { [field]: options } : {}),
      });
      setNonce(nonce + 1);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section>
      <h1>Training</h1>
      {may('train') ? (
        <form class="card" onSubmit={train}>
          <h2>Train a new version</h2>
          <label>
            Backbone
            <input name="backbone" placeholder="mobilenet-v2-imagenet (default)" value={backbone} onInput={(e) => setBackbone(e.currentTarget.value)} />
          </label>
          <fieldset>
            <legend>Mode</legend>
            {MODES.map(([id, text]) => (
              <label key={id} class="radio">
                <input type="radio" name="mode" value={id} checked={mode === id} onChange={() => setMode(id)} /> {text}
              </label>
            ))}
          </fieldset>
          {OPTION_MODES[mode] && <FineTuneFields form={tune} onChange={setTune} warmFrom={warmFrom} mode={mode} />}
          <label>
            Seed
            <input name="seed" inputMode="numeric" pattern="\d*" placeholder="random (recorded in the version)" value={seed} onInput={(e) => setSeed(e.currentTarget.value)} />
          </label>
          <details>
            <summary>Other options (the server’s defaults)</summary>
            <dl class="defaults">
              {DEFAULTS.map(([name, text]) => (
                <div key={name}>
                  <dt>{name}</dt>
                  <dd>{text}</dd>
                </div>
              ))}
            </dl>
          </details>
          <button type="submit">Train</button>
          <ErrorLine error={error} />
        </form>
      ) : (
        <p class="hint">This key may not train (role detect).</p>
      )}
      <ErrorLine error={versions.error} />
      {training.map((v) => (
        <Live key={v.ProjectVersionArn} version={v} onCancel={() => (setCancelled([...cancelled, v.VersionName]), setNonce(nonce + 1))} />
      ))}
      {gone.map((name) => (
        <p key={name} class="hint" role="status">
          Training {name} cancelled: the version and its files were removed.
        </p>
      ))}
      {last && (
        <section class="card" aria-labelledby="last-title">
          <h2 id="last-title">Last finished: {last.VersionName}</h2>
          <p>
            {last.Status.toLowerCase().replace(/_/g, ' ')}
            {last.EvaluationResult && <> · macro F1 {pct(last.EvaluationResult.F1Score)}</>}
            {last.BillableTrainingTimeInSeconds !== undefined && <> · trained in {seconds(last.BillableTrainingTimeInSeconds)}</>} · {last.TrainingMode ?? 'frozen'} · backbone{' '}
            {last.BackboneId}
          </p>
          {last.StatusMessage && <p class="hint">{last.StatusMessage}</p>}
          {last.EvaluationResult && <a href={`#/p/${encodeURIComponent(project)}/eval/${last.VersionName}`}>Open its evaluation</a>}
          {last.EvaluationResult && <TrainingReport key={last.ProjectVersionArn} arn={last.ProjectVersionArn} name={last.VersionName} />}
        </section>
      )}
    </section>
  );
}
