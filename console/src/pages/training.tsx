// Training: the backbone and seed, the mode (the server's ListTrainingModes, its default first) with that
// mode's own options and warm start, a live progress view of the version in
// training (phase, bar, elapsed and remaining, epoch curves, cancel) and, when done, its summary and
// training report (epoch curves, plan, tuning report).
import { useRef, useState } from 'preact/hooks';
import { call, may } from '../api.js';
import { ErrorLine, pct, ProgressBar, seconds, useAsync } from '../components.js';
import { EpochChart, pointOf, type EpochPoint } from '../epoch-chart.js';
import { TrainingReport } from '../training-report.js';
import { useVersions, type VersionDescription } from '../versions.js';
import { ModeFields, optionsOf, type ModeDescription, type OptionsForm } from './training-options.js';

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
  const modes = useAsync(() => call<{ Modes: ModeDescription[] }>('ListTrainingModes').then((r) => r.Modes), []);
  const [chosen, setMode] = useState<string | undefined>(undefined);
  const mode = modes.value?.find((m) => m.Name === chosen) ?? modes.value?.find((m) => m.Default);
  const [seed, setSeed] = useState('');
  const [forms, setForms] = useState<Record<string, OptionsForm>>({});
  const [error, setError] = useState('');
  const [cancelled, setCancelled] = useState<string[]>([]);
  const all = versions.value ?? [];
  const training = all.filter((v) => v.Status === 'TRAINING_IN_PROGRESS');
  const last = all.find((v) => v.Status !== 'TRAINING_IN_PROGRESS');
  const gone = cancelled.filter((name) => versions.value && !all.some((v) => v.VersionName === name));
  // A fine-tune continues a fine-tuned or fast version; the fast path only a fast one (same blocks).
  const warmFrom = all.filter((v) => v.EvaluationResult && (v.TrainingMode === 'fast' || (mode?.Name === 'fine-tune' && v.TrainingMode === 'fine-tune')));
  const train = async (event: Event) => {
    event.preventDefault();
    setError('');
    try {
      if (!mode) return;
      const options = optionsOf(mode, forms[mode.Name] ?? {});
      await call('CreateProjectVersion', {
        ProjectArn: project,
        ...(backbone.trim() ? { Backbone: backbone.trim() } : {}),
        Mode: mode.Name,
        ...(seed.trim() ? { Seed: Number(seed) } : {}),
        ...(Object.keys(options).length ? { [mode.OptionsField]: options } : {}),
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
            {(modes.value ?? []).map((m) => (
              <label key={m.Name} class="radio">
                <input type="radio" name="mode" value={m.Name} checked={mode?.Name === m.Name} onChange={() => setMode(m.Name)} /> {m.Name[0]!.toUpperCase() + m.Name.slice(1)}: {m.Summary}
                {m.Default ? ' (default)' : ''}
              </label>
            ))}
          </fieldset>
          <ErrorLine error={modes.error} />
          {mode && mode.Options.length > 0 && <ModeFields key={mode.Name} mode={mode} form={forms[mode.Name] ?? {}} onChange={(next) => setForms({ ...forms, [mode.Name]: next })} warmFrom={warmFrom} />}
          <label>
            Seed
            <input name="seed" inputMode="numeric" pattern="\d*" placeholder="random (recorded in the version)" value={seed} onInput={(e) => setSeed(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={!mode}>Train</button>
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
