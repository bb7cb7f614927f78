// Compare two versions on the same test photos: accuracy, the verdict with McNemar's test, per-label F1
// deltas, and the photos each version fixed or broke (CompareProjectVersions).
import { useState } from 'preact/hooks';
import { call } from '../api.js';
import { ErrorLine, Thumb } from '../components.js';
import { useVersions } from '../versions.js';

interface Photo {
  Sha256: string;
  SourceRef: string;
  Truth: string;
  LabelA: string;
  LabelB: string;
}

interface Comparison {
  VersionA: string;
  VersionB: string;
  TestImages: number;
  AccuracyA: number;
  AccuracyB: number;
  Labels: { Label: string; F1A: number | null; F1B: number | null; Delta: number | null }[];
  Fixed: Photo[];
  Broken: Photo[];
  McNemar: { Broken: number; Fixed: number; Method: string; Statistic: number | null; PValue: number };
  Verdict: string;
}

const f3 = (x: number | null) => (x === null ? '–' : x.toFixed(3));
const METHOD: Record<string, string> = { 'exact-binomial': 'exact binomial', 'chi-square-continuity': 'chi-square with continuity correction', none: 'no photo changed' };

function Photos({ title, photos }: { title: string; photos: Photo[] }) {
  return (
    <section class="card">
      <h3>
        {title} ({photos.length})
      </h3>
      <ul class="grid">
        {photos.slice(0, 48).map((p) => (
          <li key={p.Sha256}>
            <Thumb sha256={p.Sha256} alt={`${p.Truth}: ${p.SourceRef}`} size={96} />
            <span class="caption">
              {p.Truth}: {p.LabelA} → {p.LabelB}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ComparePage({ project }: { project: string }) {
  const versions = useVersions(project, false);
  const trained = (versions.value ?? []).filter((v) => /COMPLETED|RUNNING|STOPPED|STARTING|STOPPING/.test(v.Status));
  const [a, setA] = useState('');
  const [b, setB] = useState('');
  const [result, setResult] = useState<Comparison>();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const pick = (value: string, set: (v: string) => void) => (set(value), setResult(undefined));
  const compare = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      setResult(await call<Comparison>('CompareProjectVersions', { ProjectVersionArnA: a, ProjectVersionArnB: b }));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const options = trained.map((v) => (
    <option key={v.ProjectVersionArn} value={v.ProjectVersionArn}>
      {v.VersionName}
    </option>
  ));
  return (
    <section>
      <h1>Compare versions</h1>
      <form class="row card" onSubmit={compare}>
        <label>
          Version A
          <select name="a" value={a} onChange={(e) => pick(e.currentTarget.value, setA)} required>
            <option value="">choose…</option>
            {options}
          </select>
        </label>
        <label>
          Version B
          <select name="b" value={b} onChange={(e) => pick(e.currentTarget.value, setB)} required>
            <option value="">choose…</option>
            {options}
          </select>
        </label>
        <button type="submit" disabled={busy || !a || !b}>
          {busy ? 'Comparing…' : 'Compare'}
        </button>
      </form>
      <ErrorLine error={versions.error || error} />
      {result && (
        <>
          <section class="card" aria-labelledby="verdict-title">
            <h2 id="verdict-title">
              {result.VersionA} vs {result.VersionB}
            </h2>
            <p>
              On the same {result.TestImages} test photos: accuracy {result.AccuracyA.toFixed(3)} → {result.AccuracyB.toFixed(3)}.
            </p>
            <p class="verdict">{result.Verdict}</p>
            <p class="hint">
              McNemar ({METHOD[result.McNemar.Method] ?? result.McNemar.Method}): {result.McNemar.Fixed} fixed, {result.McNemar.Broken} broken
              {result.McNemar.Statistic !== null && `, χ² = ${result.McNemar.Statistic.toFixed(2)}`}, p = {result.McNemar.PValue.toPrecision(3)}.
            </p>
            <table class="deltas">
              <thead>
                <tr>
                  <th scope="col">Label</th>
                  <th scope="col">F1 A</th>
                  <th scope="col">F1 B</th>
                  <th scope="col">Δ</th>
                </tr>
              </thead>
              <tbody>
                {result.Labels.map((l) => (
                  <tr key={l.Label}>
                    <th scope="row">{l.Label}</th>
                    <td>{f3(l.F1A)}</td>
                    <td>{f3(l.F1B)}</td>
                    <td class={l.Delta === null || Math.abs(l.Delta) < 1e-9 ? '' : l.Delta > 0 ? 'up' : 'down'}>{l.Delta === null ? '–' : `${l.Delta > 0 ? '+' : ''}${l.Delta.toFixed(3)}`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <div class="cols">
            <Photos title="Fixed by B" photos={result.Fixed} />
            <Photos title="Broken by B" photos={result.Broken} />
          </div>
        </>
      )}
    </section>
  );
}
