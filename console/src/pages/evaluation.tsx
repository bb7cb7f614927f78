// Evaluation of one version: per-label table with a live threshold slider each (saved as a new
// version's thresholds), the confusion matrix as a heat map whose cells open their images, the
// precision-recall curve of the chosen label and the gallery of mistakes. A tab row above adds a
// "Levels" tab when the project has a taxonomy. Above them, accuracy, coverage and answered precision at
// the thresholds (figures.tsx), live as the sliders move. Multi-label and groups versions are shown from
// their stored summary instead (evaluation-summary.tsx): micro/macro F1, or one tab per group.
import { useMemo, useState } from 'preact/hooks';
import { call, may } from '../api.js';
import { ErrorLine, MetricsHead, pct, Thumb, useAsync } from '../components.js';
import { FigureLine, trainedFigures } from '../figures.js';
import { answerFigures, confusion, labelAt, mistakes, type Scored } from '../metrics.js';
import { PrCurve } from '../pr-curve.js';
import { useVersions, type EvaluationSummary, type VersionDescription } from '../versions.js';
import { GroupTab, LabelTable, LevelsTab, MultiLabelSummary } from './evaluation-summary.js';

interface Predictions {
  Labels: string[];
  Thresholds: number[];
  Predictions: Scored[];
}

function Heatmap({ labels, cells, selected, onSelect }: { labels: string[]; cells: Scored[][][]; selected?: [number, number]; onSelect: (cell: [number, number]) => void }) {
  const max = Math.max(1, ...cells.flat().map((c) => c.length));
  return (
    <div class="heat-wrap">
      <table class="heat" aria-label="Confusion matrix: rows are the true label, columns the top prediction">
        <thead>
          <tr>
            <th scope="col" class="corner">true ↓ / predicted →</th>
            {labels.map((l) => (
              <th key={l} scope="col">
                <span>{l}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {cells.map((row, t) => (
            <tr key={t}>
              <th scope="row">{labels[t]}</th>
              {row.map((cell, p) => {
                const share = cell.length / max;
                const hue = t === p ? 150 : 5;
                const isSelected = selected?.[0] === t && selected[1] === p;
                return (
                  <td key={p}>
                    <button
                      type="button"
                      class={isSelected ? 'cell selected' : 'cell'}
                      style={{ background: cell.length ? `hsl(${hue} 65% ${92 - share * 52}%)` : undefined, color: share > 0.6 ? '#fff' : undefined }}
                      aria-label={`${cell.length} image(s) of ${labels[t]} predicted as ${labels[p]}`}
                      aria-pressed={isSelected}
                      onClick={() => onSelect([t, p])}
                    >
                      {cell.length}
                    </button>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Gallery({ items }: { items: { item: Scored; caption: string }[] }) {
  return (
    <ul class="grid wrap">
      {items.slice(0, 48).map(({ item, caption }) => (
        <li key={item.Sha256}>
          <Thumb sha256={item.Sha256} alt={`${item.Truth}: ${item.SourceRef}`} />
          <span class="caption">{caption}</span>
        </li>
      ))}
    </ul>
  );
}

/** A row of tabs (ARIA tablist); `tabs` are [id, title] pairs. */
function Tabs({ tabs, selected, onSelect }: { tabs: [string, string][]; selected: string; onSelect: (id: string) => void }) {
  return (
    <div role="tablist" class="tabs small" aria-label="Evaluation view">
      {tabs.map(([id, title]) => (
        <button key={id} role="tab" type="button" aria-selected={selected === id} onClick={() => onSelect(id)}>
          {title}
        </button>
      ))}
    </div>
  );
}

/** A multi-label or groups version, from its stored summary: no single-label confusion matrix or sliders. */
function SummaryEvaluation({ summary, version }: { summary: EvaluationSummary; version: VersionDescription }) {
  const groups = summary.GroupEvaluationResults ?? [];
  const [tab, setTab] = useState('all');
  const tabs: [string, string][] = [['all', 'All labels'], ...groups.map((g): [string, string] => [`group:${g.Group}`, `Group ${g.Group}`])];
  if (summary.LevelEvaluationResults) tabs.push(['levels', 'Levels']);
  const group = groups.find((g) => `group:${g.Group}` === tab);
  const figures = trainedFigures(version);
  const line = figures && <FigureLine figures={figures} version={version} />;
  if (summary.MultiLabelEvaluationResults)
    return (
      <>
        {line}
        <MultiLabelSummary summary={summary} />
      </>
    );
  return (
    <>
      {line}
      <Tabs tabs={tabs} selected={tab} onSelect={setTab} />
      {group ? (
        <GroupTab group={group} summary={summary} />
      ) : tab === 'levels' ? (
        <LevelsTab summary={summary} />
      ) : (
        <section class="card">
          <p class="summary">
            {groups.length} groups · macro F1 over every group:value label <strong>{pct(version.EvaluationResult?.F1Score)}</strong>; each group's accuracy and confusion matrix is in its tab.
          </p>
          <LabelTable summary={summary} />
        </section>
      )}
    </>
  );
}

function Evaluation({ project, version }: { project: string; version: VersionDescription }) {
  const [tab, setTab] = useState('all');
  const data = useAsync(() => call<Predictions>('ListTestPredictions', { ProjectVersionArn: version.ProjectVersionArn }), [version.ProjectVersionArn]);
  const [edited, setEdited] = useState<Record<string, number>>({});
  const [cell, setCell] = useState<[number, number]>();
  const [chosen, setChosen] = useState(0);
  const [saved, setSaved] = useState('');
  const [error, setError] = useState('');
  const labels = data.value?.Labels ?? [];
  const items = data.value?.Predictions ?? [];
  const thresholds = labels.map((l, k) => edited[l] ?? data.value!.Thresholds[k]!);
  const rows = labels.map((_, k) => labelAt(labels, items, k, thresholds[k]!));
  const cells = useMemo(() => confusion(labels, items), [data.value]);
  const wrong = mistakes(labels, items, thresholds);
  // Labels without test photos have no recall to measure: left out of the average, as the server's evaluation does.
  const tested = rows.filter((r) => r.support > 0);
  const macroF1 = tested.length ? tested.reduce((s, r) => s + r.f1, 0) / tested.length : 0;
  const figures = answerFigures(labels, items, thresholds);
  const save = async () => {
    setError('');
    try {
      const answer = await call<{ ProjectVersionArn: string }>('CreateThresholdVersion', {
        ProjectVersionArn: version.ProjectVersionArn,
        Thresholds: Object.fromEntries(Object.entries(edited).map(([l, t]) => [l, Math.round(t * 10000) / 100])),
      });
      setSaved(/version\/([^/]+)/.exec(answer.ProjectVersionArn)?.[1] ?? answer.ProjectVersionArn);
      setEdited({});
    } catch (e) {
      setError((e as Error).message);
    }
  };
  if (data.error) return <ErrorLine error={data.error} />;
  const levels = version.EvaluationSummary?.LevelEvaluationResults;
  const tabs = <Tabs tabs={[['all', 'All labels'], ...(levels ? [['levels', 'Levels'] as [string, string]] : [])]} selected={tab} onSelect={setTab} />;
  if (tab === 'levels' && version.EvaluationSummary)
    return (
      <>
        {tabs}
        <LevelsTab summary={version.EvaluationSummary} />
      </>
    );
  if (!data.value) return <p aria-live="polite">Scoring the test images of {version.VersionName}…</p>;
  return (
    <>
      {tabs}
      <FigureLine figures={figures} trained={trainedFigures(version)} version={version} />
      <p class="summary">
        {items.length} test images · macro F1 <strong>{pct(macroF1)}</strong> at these thresholds (as trained: {pct(version.EvaluationResult?.F1Score)})
      </p>
      <div class="cols">
        <section class="card">
          <h2>Per label</h2>
          <div class="scroll">
            <table class="metrics">
              <MetricsHead />
              <tbody>
                {rows.map((r, k) => (
                  <tr key={r.label} class={chosen === k ? 'chosen' : ''} onClick={() => setChosen(k)}>
                    <th scope="row">{r.label}</th>
                    <td>{pct(r.precision)}</td>
                    <td>{pct(r.recall)}</td>
                    <td>{pct(r.f1)}</td>
                    <td class="slider">
                      <input
                        type="range"
                        min={0}
                        max={100}
                        step={1}
                        value={Math.round(thresholds[k]! * 100)}
                        aria-label={`Threshold of ${r.label}`}
                        onFocus={() => setChosen(k)}
                        onInput={(e) => setEdited({ ...edited, [r.label]: Number(e.currentTarget.value) / 100 })}
                      />
                      <output>{Math.round(thresholds[k]! * 100)}</output>
                    </td>
                    <td class="num">{r.support}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {may('train') && (
            <div class="row">
              <button type="button" disabled={Object.keys(edited).length === 0} onClick={save}>
                Save thresholds as a new version
              </button>
              {Object.keys(edited).length > 0 && (
                <button type="button" class="link" onClick={() => setEdited({})}>
                  Reset
                </button>
              )}
              {saved && (
                <span role="status">
                  Saved as <a href={`#/p/${encodeURIComponent(project)}/versions`}>{saved}</a>
                </span>
              )}
            </div>
          )}
          <ErrorLine error={error} />
        </section>
        <section class="card">
          <h2>Precision and recall: {labels[chosen]}</h2>
          <PrCurve labels={labels} items={items} k={chosen} threshold={thresholds[chosen]!} />
        </section>
      </div>
      <section class="card">
        <h2>Confusion matrix</h2>
        <p class="hint">Rows: true label; columns: top prediction. Choose a cell to see its images.</p>
        <Heatmap labels={labels} cells={cells} selected={cell} onSelect={setCell} />
        {cell && (
          <div class="cell-images" aria-live="polite">
            <h3>
              {labels[cell[0]]} predicted as {labels[cell[1]]}: {cells[cell[0]]![cell[1]]!.length} image(s)
            </h3>
            <Gallery items={cells[cell[0]]![cell[1]]!.map((item) => ({ item, caption: `${(Math.max(...item.Probabilities) * 100).toFixed(0)}%` }))} />
          </div>
        )}
      </section>
      <section class="card">
        <h2>Mistakes ({wrong.length})</h2>
        <Gallery items={wrong.map((m) => ({ item: m.item, caption: `${m.item.Truth} → ${m.predicted ?? `unknown (top: ${m.top})`}, ${m.confidence.toFixed(0)}%` }))} />
      </section>
    </>
  );
}

export function EvaluationPage({ project, version }: { project: string; version?: string }) {
  const versions = useVersions(project, false);
  const trained = (versions.value ?? []).filter((v) => v.EvaluationResult);
  const current = trained.find((v) => v.VersionName === version) ?? trained[0];
  return (
    <section>
      <h1>Evaluation</h1>
      <ErrorLine error={versions.error} />
      {versions.value && trained.length === 0 && <p class="hint">No trained version yet: train one first.</p>}
      {trained.length > 0 && (
        <label class="pick">
          Version{' '}
          <select value={current?.VersionName} onChange={(e) => (location.hash = `#/p/${encodeURIComponent(project)}/eval/${e.currentTarget.value}`)}>
            {trained.map((v) => (
              <option key={v.VersionName} value={v.VersionName}>
                {v.VersionName} · F1 {pct(v.EvaluationResult?.F1Score)}
              </option>
            ))}
          </select>
        </label>
      )}
      {current &&
        (current.EvaluationSummary?.MultiLabelEvaluationResults || current.EvaluationSummary?.GroupEvaluationResults ? (
          <SummaryEvaluation key={current.ProjectVersionArn} summary={current.EvaluationSummary} version={current} />
        ) : (
          <Evaluation key={current.ProjectVersionArn} project={project} version={current} />
        ))}
    </section>
  );
}
