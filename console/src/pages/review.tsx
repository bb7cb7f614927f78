// Review: the training photos a version finds likely mislabelled, ranked, with one click to relabel,
// keep or remove; and the queue of uncertain served predictions (opt in per project) to confirm,
// correct or dismiss. Answers join the dataset; a new version then learns from them.
import { useState } from 'preact/hooks';
import { call, may } from '../api.js';
import { ErrorLine, Thumb, useAsync } from '../components.js';
import { LabelPicker, QueueImage, relabelPhoto } from '../review-parts.js';
import { useVersions } from '../versions.js';

interface Ranked {
  ProjectVersionArn: string;
  Method: string;
  Photos: number;
  Flagged: number;
  Entries: { Rank: number; EntryId: number; Sha256: string; SourceRef: string; Label: string; SuggestedLabel: string; Confidence: number; SuggestedConfidence: number }[];
}

interface Queued {
  Id: number;
  ProjectVersion: string;
  Source: string;
  TopLabel: string | null;
  Confidence: number;
  Margin: number;
  CreatedAt: string;
}

interface Settings {
  Enabled: boolean;
  MinConfidence: number;
  MinMargin: number;
  MaxBytes: number;
  RetentionDays: number;
}

function Mislabelled({ project, labels, onAnswer }: { project: string; labels: string[]; onAnswer: () => void }) {
  const [nonce, setNonce] = useState(0);
  const [error, setError] = useState('');
  const ranked = useAsync(() => call<Ranked>('DescribeMislabelledEntries', { ProjectArn: project, MaxResults: 40 }), [project, nonce]);
  const act = (work: Promise<unknown>) =>
    work.then(
      () => (setError(''), setNonce((n) => n + 1), onAnswer()),
      (e: Error) => setError(e.message),
    );
  const r = ranked.value;
  return (
    <section class="card" aria-labelledby="mislabelled-title">
      <h2 id="mislabelled-title">Likely mislabelled</h2>
      <ErrorLine error={ranked.error || error} />
      {r && (
        <p class="hint">
          {r.Flagged} of {r.Photos} training photos of {r.ProjectVersionArn} look mislabelled ({r.Method}); showing {r.Entries.length} not yet reviewed, least likely first.
        </p>
      )}
      <ol class="ranked">
        {r?.Entries.map((e) => (
          <li key={e.EntryId}>
            <Thumb sha256={e.Sha256} alt={`${e.Label}: ${e.SourceRef}`} />
            <div>
              <p>
                <strong>#{e.Rank}</strong> labelled <strong>{e.Label}</strong> ({e.Confidence.toFixed(1)}%), looks like <strong>{e.SuggestedLabel}</strong> ({e.SuggestedConfidence.toFixed(1)}%)
              </p>
              <p class="caption">{e.SourceRef}</p>
              {may('train') && (
                <div class="row">
                  <button type="button" onClick={() => act(relabelPhoto(project, e.Sha256, 'train', e.SuggestedLabel))}>
                    Relabel as {e.SuggestedLabel}
                  </button>
                  <LabelPicker labels={labels} current={e.Label} onPick={(to) => act(relabelPhoto(project, e.Sha256, 'train', to))} title="Other label…" />
                  <button type="button" class="secondary" onClick={() => act(call('KeepDatasetEntries', { ProjectArn: project, EntryIds: [e.EntryId] }))}>
                    Keep {e.Label}
                  </button>
                  <button type="button" class="link" onClick={() => act(call('DeleteDatasetEntries', { ProjectArn: project, EntryIds: [e.EntryId] }))}>
                    Remove
                  </button>
                </div>
              )}
            </div>
          </li>
        ))}
      </ol>
      {r && r.Entries.length === 0 && <p class="hint">Nothing left to review for this version.</p>}
    </section>
  );
}

function Uncertain({ project, labels, onAnswer }: { project: string; labels: string[]; onAnswer: () => void }) {
  const [nonce, setNonce] = useState(0);
  const [error, setError] = useState('');
  const settings = useAsync(() => call<Settings>('DescribeReviewSettings', { ProjectArn: project }), [project, nonce]);
  const queue = useAsync(() => call<{ Predictions: Queued[] }>('ListUncertainPredictions', { ProjectArn: project, MaxResults: 40 }), [project, nonce]);
  const act = (work: Promise<unknown>, answered = true) =>
    work.then(
      () => (setError(''), setNonce((n) => n + 1), answered && onAnswer()),
      (e: Error) => setError(e.message),
    );
  const s = settings.value;
  return (
    <section class="card" aria-labelledby="uncertain-title">
      <h2 id="uncertain-title">Uncertain predictions</h2>
      <ErrorLine error={settings.error || queue.error || error} />
      {s && (
        <p class="row">
          <span>
            {s.Enabled ? 'Kept' : 'Not kept'}: answers with top confidence below {Math.round(s.MinConfidence * 100)}% or a margin below {Math.round(s.MinMargin * 100)}%, up to {Math.round(s.MaxBytes / 1024 ** 2)} MB for {s.RetentionDays} days.
          </span>
          {may('train') && (
            <button type="button" class="secondary" onClick={() => act(call('UpdateReviewSettings', { ProjectArn: project, Enabled: !s.Enabled }), false)}>
              {s.Enabled ? 'Stop keeping them' : 'Keep uncertain predictions'}
            </button>
          )}
        </p>
      )}
      <ol class="ranked">
        {queue.value?.Predictions.map((q) => (
          <li key={q.Id}>
            <QueueImage project={project} id={q.Id} alt={`${q.Source}: ${q.TopLabel ?? 'no label'}`} />
            <div>
              <p>
                {q.TopLabel ? (
                  <>
                    <strong>{q.TopLabel}</strong> at {q.Confidence.toFixed(1)}% (margin {q.Margin.toFixed(1)} points)
                  </>
                ) : (
                  'no label'
                )}{' '}
                by {q.ProjectVersion}
              </p>
              <p class="caption">
                {q.Source} · {new Date(q.CreatedAt).toLocaleString()}
              </p>
              {may('train') && (
                <div class="row">
                  {q.TopLabel && (
                    <button type="button" onClick={() => act(call('AnswerUncertainPrediction', { ProjectArn: project, Id: q.Id, Action: 'CONFIRM' }))}>
                      Confirm {q.TopLabel}
                    </button>
                  )}
                  <LabelPicker labels={labels} current={q.TopLabel ?? ''} onPick={(to) => act(call('AnswerUncertainPrediction', { ProjectArn: project, Id: q.Id, Action: 'CORRECT', Label: to }))} title="It is…" />
                  <button type="button" class="link" onClick={() => act(call('AnswerUncertainPrediction', { ProjectArn: project, Id: q.Id, Action: 'DISMISS' }))}>
                    Dismiss
                  </button>
                </div>
              )}
            </div>
          </li>
        ))}
      </ol>
      {queue.value && queue.value.Predictions.length === 0 && <p class="hint">The queue is empty.</p>}
    </section>
  );
}

export function ReviewPage({ project }: { project: string }) {
  const [answers, setAnswers] = useState(0);
  const health = useAsync(() => call<{ Labels: { Label: string }[] }>('DescribeDatasetHealth', { ProjectArn: project }), [project]);
  const versions = useVersions(project, false);
  const changes = useAsync(() => call<{ Changes: { Action: string; At: string }[] }>('ListDatasetEntryChanges', { ProjectArn: project }), [project, answers]);
  const labels = (health.value?.Labels ?? []).map((l) => l.Label);
  // CreationTimestamp is in epoch seconds, as Rekognition gives it.
  const latest = (versions.value ?? []).reduce((newest, v) => Math.max(newest, v.CreationTimestamp * 1000), 0);
  // Answers recorded since the newest version (keeps do not change the dataset).
  const fresh = (changes.value?.Changes ?? []).filter((c) => c.Action !== 'keep' && Date.parse(c.At) > latest).length;
  const answered = () => setAnswers((n) => n + 1);
  return (
    <section>
      <h1>Review</h1>
      {answers > 0 && (
        <p class="notice" role="status">
          {answers} answer(s) since this page opened.
        </p>
      )}
      {fresh > 0 && may('train') && (
        <p class="notice">
          {fresh} change(s) to the dataset since the newest version. <a href={`#/p/${encodeURIComponent(project)}/train`}>Train a new version</a> to learn from them: the frozen path reuses cached embeddings, the fast path can warm-start from the last version.
        </p>
      )}
      <Mislabelled project={project} labels={labels} onAnswer={answered} />
      <Uncertain project={project} labels={labels} onAnswer={answered} />
    </section>
  );
}
