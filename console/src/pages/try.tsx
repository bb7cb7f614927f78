// Try it: drop a photo; see a running version's custom labels with confidences, the generic labels
// with their boxes drawn on the photo, and the moderation labels.
import { useState } from 'preact/hooks';
import { base64Of, call } from '../api.js';
import { DropZone, ErrorLine } from '../components.js';
import { useVersions } from '../versions.js';

interface Box {
  Width: number;
  Height: number;
  Left: number;
  Top: number;
}
interface Results {
  custom?: { Name: string; Confidence: number }[];
  generic?: { Name: string; Confidence: number; Instances: { BoundingBox: Box; Confidence: number }[] }[];
  moderation?: { Name: string; Confidence: number; ParentName: string }[];
  errors: Record<string, string>;
}

function Bars({ rows, empty }: { rows: { Name: string; Confidence: number }[]; empty: string }) {
  if (rows.length === 0) return <p class="hint">{empty}</p>;
  return (
    <ul class="confidences">
      {rows.map((r) => (
        <li key={r.Name}>
          <span class="name">{r.Name}</span>
          <span class="meter" aria-hidden="true">
            <span style={{ width: `${r.Confidence}%` }} />
          </span>
          <span class="num">{r.Confidence.toFixed(1)}%</span>
        </li>
      ))}
    </ul>
  );
}

export function TryPage({ project }: { project: string }) {
  const versions = useVersions(project, false);
  const running = (versions.value ?? []).filter((v) => v.Status === 'RUNNING');
  const [chosen, setChosen] = useState('');
  const [photo, setPhoto] = useState<string>();
  const [results, setResults] = useState<Results>();
  const [busy, setBusy] = useState(false);
  const version = running.find((v) => v.ProjectVersionArn === chosen) ?? running[0];
  const detect = async (files: File[]) => {
    const file = files[0];
    if (!file) return;
    setBusy(true);
    setPhoto(URL.createObjectURL(file));
    const Image = { Bytes: base64Of(await file.arrayBuffer()) };
    const errors: Record<string, string> = {};
    const attempt = <T,>(name: string, run: () => Promise<T>) => run().catch((e: Error) => ((errors[name] = e.message), undefined));
    const [custom, generic, moderation] = await Promise.all([
      version ? attempt('custom', () => call('DetectCustomLabels', { ProjectVersionArn: version.ProjectVersionArn, Image })) : Promise.resolve(undefined),
      attempt('generic', () => call('DetectLabels', { Image, MaxLabels: 10 })),
      attempt('moderation', () => call('DetectModerationLabels', { Image })),
    ]);
    setResults({ custom: custom?.CustomLabels, generic: generic?.Labels, moderation: moderation?.ModerationLabels, errors });
    setBusy(false);
  };
  const boxes = (results?.generic ?? []).flatMap((l) => l.Instances.map((i) => ({ name: l.Name, box: i.BoundingBox })));
  return (
    <section>
      <h1>Try it</h1>
      <ErrorLine error={versions.error} />
      {versions.value && running.length === 0 && (
        <p class="hint">
          No version of {project} is running: start one on <a href={`#/p/${encodeURIComponent(project)}/versions`}>Versions</a>. Generic and moderation labels work without one.
        </p>
      )}
      {running.length > 1 && (
        <label class="pick">
          Version{' '}
          <select value={version?.ProjectVersionArn} onChange={(e) => setChosen(e.currentTarget.value)}>
            {running.map((v) => (
              <option key={v.ProjectVersionArn} value={v.ProjectVersionArn}>
                {v.VersionName}
              </option>
            ))}
          </select>
        </label>
      )}
      {/* Offered once the version list is in: a photo dropped before would be sent to no version. */}
      {!versions.loading && (
        <DropZone accept="image/jpeg,image/png,image/webp,image/avif,image/tiff,image/gif,.heic" onFiles={detect}>
          Drop a photo (JPEG, PNG, WebP, AVIF, TIFF or GIF, at most 4 MB) — or press Enter to choose one
        </DropZone>
      )}
      {busy && <p aria-live="polite">Detecting…</p>}
      {photo && results && (
        <div class="cols try">
          <figure class="photo">
            <img src={photo} alt="The photo sent" />
            {boxes.map((b, i) => (
              <span key={i} class="box" style={{ left: `${b.box.Left * 100}%`, top: `${b.box.Top * 100}%`, width: `${b.box.Width * 100}%`, height: `${b.box.Height * 100}%` }}>
                <span>{b.name}</span>
              </span>
            ))}
          </figure>
          <div>
            <section class="card" aria-labelledby="custom-title">
              <h2 id="custom-title">Custom labels{version ? ` (${version.VersionName})` : ''}</h2>
              {results.custom ? <Bars rows={results.custom} empty="No label reaches its threshold: not in the catalogue." /> : <ErrorLine error={results.errors.custom ?? 'No running version'} />}
            </section>
            <section class="card" aria-labelledby="generic-title">
              <h2 id="generic-title">Generic labels</h2>
              {results.generic ? <Bars rows={results.generic} empty="No generic label." /> : <ErrorLine error={results.errors.generic} />}
            </section>
            <section class="card" aria-labelledby="moderation-title">
              <h2 id="moderation-title">Moderation labels</h2>
              {results.moderation ? <Bars rows={results.moderation.map((m) => ({ Name: m.ParentName ? `${m.ParentName} / ${m.Name}` : m.Name, Confidence: m.Confidence }))} empty="No moderation label." /> : <ErrorLine error={results.errors.moderation} />}
            </section>
          </div>
        </div>
      )}
    </section>
  );
}
