// Dataset: import (a server folder or S3 prefix, or an upload of photos, zips or folders) with
// progress; the health report as a checklist with thumbnails; images per label; a filterable grid.
// Label groups and hierarchy levels (when a project has them) slot in as a tab row above the chart.
// A train key can relabel or remove any photo of the grid (recorded, see the review page).
import { useState } from 'preact/hooks';
import { call, may, upload } from '../api.js';
import { DropZone, ErrorLine, LabelBars, ProgressBar, Thumb, useAsync, usePoll } from '../components.js';
import { LabelPicker, relabelPhoto, removePhoto } from '../review-parts.js';
import { uploadForm, zipDroppedFolders } from '../upload.js';

interface Health {
  Images: { Train: number; Test: number };
  Labels: { Label: string; Train: number; Test: number }[];
  ImbalanceRatio: number;
  ImbalanceStrategy: string;
  SkippedAtImport: number;
  Findings: { Severity: 'error' | 'warning' | 'info'; Kind: string; Message: string; Files: { Text: string; Sha256: string[] }[] }[];
}

const ICON = { ok: '✓', error: '✗', warning: '!', info: 'i' } as const;

function Importer({ project, onDone }: { project: string; onDone: () => void }) {
  const [uri, setUri] = useState('');
  const [type, setType] = useState<'TRAIN' | 'TEST'>('TRAIN');
  const [label, setLabel] = useState('');
  const [sent, setSent] = useState<number>();
  const [status, setStatus] = useState<string>();
  const [arn, setArn] = useState('');
  const [error, setError] = useState('');
  const watching = status !== undefined && status.endsWith('IN_PROGRESS');
  usePoll(
    async () => {
      const d = await call('DescribeDataset', { DatasetArn: arn }).catch(() => undefined);
      const description = d?.DatasetDescription;
      if (!description) return;
      setStatus(description.Status);
      if (!description.Status.endsWith('IN_PROGRESS')) {
        setSent(undefined);
        if (description.Status.endsWith('FAILED')) setError(description.StatusMessage ?? 'The import failed');
        else setError('');
        onDone();
      }
    },
    1000,
    watching,
  );
  const started = (answer: { DatasetArn: string }) => (setArn(answer.DatasetArn), setStatus('CREATE_IN_PROGRESS'));
  const fromUri = async (event: Event) => {
    event.preventDefault();
    setError('');
    try {
      started(await call('CreateDataset', { ProjectArn: project, DatasetType: type, DatasetSource: { Uri: uri.trim() } }));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const fromFiles = async (files: File[], items?: DataTransferItemList) => {
    setError('');
    const folder = await zipDroppedFolders(items);
    const chosen = folder ? [folder] : files;
    if (chosen.some((f) => !/\.zip$/i.test(f.name)) && !label.trim()) {
      setError('Type the label of these photos first (or drop a zip or folder of label folders).');
      return;
    }
    try {
      setSent(0);
      started(await upload<{ DatasetArn: string }>(`/v1/datasets/upload?project=${encodeURIComponent(project)}&type=${type}`, uploadForm(chosen, label.trim()), setSent));
    } catch (e) {
      setSent(undefined);
      setError((e as Error).message);
    }
  };
  return (
    <section class="card" aria-labelledby="import-title">
      <h2 id="import-title">Import images</h2>
      <div class="row">
        <label>
          Into
          <select value={type} onChange={(e) => setType(e.currentTarget.value as 'TRAIN' | 'TEST')}>
            <option value="TRAIN">train (a plain folder per label is split 80/20)</option>
            <option value="TEST">test</option>
          </select>
        </label>
      </div>
      <form class="row" onSubmit={fromUri}>
        <label class="grow">
          Server folder or S3 prefix
          <input name="uri" placeholder="catalogue/ under an import root, or s3://bucket/prefix/" value={uri} onInput={(e) => setUri(e.currentTarget.value)} required />
        </label>
        <button type="submit" disabled={watching}>
          Import
        </button>
      </form>
      <div class="row">
        <label>
          Label of dropped photos
          <input name="label" placeholder="(only for loose photos)" value={label} onInput={(e) => setLabel(e.currentTarget.value)} />
        </label>
        <DropZone accept=".zip,image/jpeg,image/png,image/webp,image/avif,image/tiff,image/gif,.heic" multiple onFiles={fromFiles}>
          Drop a zip or folder of label folders, or photos — or press Enter to choose files
        </DropZone>
      </div>
      {sent !== undefined && sent < 1 && <ProgressBar fraction={sent} label="Upload" />}
      {status && (
        <p class="status" aria-live="polite">
          {watching ? 'Importing… ' : 'Last import: '}
          {status.toLowerCase().replace(/_/g, ' ')}
        </p>
      )}
      <ErrorLine error={error} />
    </section>
  );
}

function Checklist({ health }: { health: Health }) {
  const fixed: { ok: boolean; text: string; fail: 'error' | 'warning' }[] = [
    { ok: health.Labels.length >= 2, text: `${health.Labels.length} labels (at least 2 to train)`, fail: 'error' },
    { ok: health.Labels.every((l) => l.Train > 0 && l.Test > 0), text: 'Every label has train and test images', fail: 'error' },
    { ok: health.Labels.every((l) => l.Train + l.Test >= 10), text: 'At least 10 images per label (advised)', fail: 'warning' },
  ];
  return (
    <section class="card" aria-labelledby="health-title">
      <h2 id="health-title">Health report</h2>
      <p>
        {health.Images.Train} train and {health.Images.Test} test images; {health.SkippedAtImport} file(s) left out at import.
      </p>
      <ul class="checklist">
        {fixed.map((c) => (
          <li key={c.text} class={c.ok ? 'ok' : c.fail}>
            <span class="icon" aria-hidden="true">{ICON[c.ok ? 'ok' : c.fail]}</span> {c.text}
          </li>
        ))}
        {health.Findings.map((f, i) => (
          <li key={i} class={f.Severity}>
            <span class="icon" aria-hidden="true">{ICON[f.Severity]}</span> <strong>{f.Kind.replace(/-/g, ' ')}</strong>: {f.Message}
            {f.Files.length > 0 && (
              <details>
                <summary>{f.Files.length} file(s)</summary>
                <ul class="files">
                  {f.Files.slice(0, 24).map((file, j) => (
                    <li key={j}>
                      {file.Sha256.slice(0, 3).map((sha) => (
                        <Thumb key={sha} sha256={sha} alt={file.Text} size={96} />
                      ))}
                      <span>{file.Text}</span>
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </li>
        ))}
        {health.Findings.length === 0 && (
          <li class="ok">
            <span class="icon" aria-hidden="true">✓</span> No duplicates, leaks, unreadable or odd files found
          </li>
        )}
      </ul>
    </section>
  );
}

interface ImageRow {
  Sha256: string;
  Label: string;
  Split: string;
  SourceRef: string;
}

function Grid({ project, labels, onChanged }: { project: string; labels: string[]; onChanged: () => void }) {
  const [label, setLabel] = useState('');
  const [split, setSplit] = useState('');
  const [pages, setPages] = useState(1);
  const [changes, setChanges] = useState(0);
  const [error, setError] = useState('');
  const images = useAsync(
    () => call<{ Images: ImageRow[]; NextToken?: string }>('ListDatasetImages', { ProjectArn: project, MaxResults: 24 * pages, ...(label ? { Label: label } : {}), ...(split ? { Split: split } : {}) }),
    [project, label, split, pages, changes],
  );
  const change = (work: Promise<void>) =>
    work.then(
      () => (setError(''), setChanges((n) => n + 1), onChanged()),
      (e: Error) => setError(e.message),
    );
  return (
    <section class="card" aria-labelledby="grid-title">
      <h2 id="grid-title">Images</h2>
      <div class="row">
        <label>
          Label
          <select value={label} onChange={(e) => (setLabel(e.currentTarget.value), setPages(1))}>
            <option value="">all</option>
            {labels.map((l) => (
              <option key={l}>{l}</option>
            ))}
          </select>
        </label>
        <label>
          Split
          <select value={split} onChange={(e) => (setSplit(e.currentTarget.value), setPages(1))}>
            <option value="">both</option>
            <option value="train">train</option>
            <option value="test">test</option>
          </select>
        </label>
      </div>
      <ErrorLine error={images.error || error} />
      <ul class="grid">
        {images.value?.Images.map((img) => (
          <li key={img.Sha256 + img.Label}>
            <Thumb sha256={img.Sha256} alt={`${img.Label}: ${img.SourceRef}`} />
            <span class="caption">
              {img.Label} · {img.Split}
            </span>
            {may('train') && (
              <span class="tile-actions">
                <LabelPicker labels={labels} current={img.Label} onPick={(to) => change(relabelPhoto(project, img.Sha256, img.Split, to))} />
                <button type="button" class="link" aria-label={`Remove ${img.SourceRef}`} onClick={() => change(removePhoto(project, img.Sha256, img.Label))}>
                  Remove
                </button>
              </span>
            )}
          </li>
        ))}
      </ul>
      {images.value?.NextToken && (
        <button type="button" onClick={() => setPages(pages + 1)}>
          More images
        </button>
      )}
    </section>
  );
}

export function DatasetPage({ project }: { project: string }) {
  const [reload, setReload] = useState(0);
  const health = useAsync(() => call<Health>('DescribeDatasetHealth', { ProjectArn: project }), [project, reload]);
  const labels = health.value?.Labels ?? [];
  return (
    <section>
      <h1>Dataset</h1>
      {may('train') && <Importer project={project} onDone={() => setReload((n) => n + 1)} />}
      <ErrorLine error={health.error} />
      {health.value && labels.length === 0 && <p class="hint">No images yet: import a folder per label.</p>}
      {health.value && labels.length > 0 && (
        <div class="cols">
          <Checklist health={health.value} />
          <section class="card">
            <LabelBars rows={labels} />
          </section>
        </div>
      )}
      {labels.length > 0 && <Grid project={project} labels={labels.map((l) => l.Label)} onChanged={() => setReload((n) => n + 1)} />}
    </section>
  );
}
