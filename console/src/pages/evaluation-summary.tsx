// The evaluation views read from a version's stored summary (DescribeProjectVersions' EvaluationSummary):
// a per-label table, one tab per attribute group (accuracy, macro F1, its confusion matrix as shares of
// each true value), a taxonomy's per-level accuracy with the fallback trade-off, and a multi-label
// version's micro and macro figures. Multi and groups versions have no single-label confusion matrix.
import { MetricsHead, pct } from '../components.js';
import type { EvaluationSummary } from '../versions.js';

type Group = NonNullable<EvaluationSummary['GroupEvaluationResults']>[number];

export function LabelTable({ summary }: { summary: EvaluationSummary }) {
  return (
    <div class="scroll">
      <table class="metrics">
        <MetricsHead />
        <tbody>
          {(summary.LabelEvaluationResults ?? []).map((l) => (
            <tr key={l.Label}>
              <th scope="row">{l.Label}</th>
              <td>{pct(l.Metrics.Precision)}</td>
              <td>{pct(l.Metrics.Recall)}</td>
              <td>{pct(l.Metrics.F1Score)}</td>
              <td class="num">{Math.round(l.Metrics.Threshold * 100)}</td>
              <td class="num">{l.NumberOfTestingImages}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function MultiLabelSummary({ summary }: { summary: EvaluationSummary }) {
  const m = summary.MultiLabelEvaluationResults!;
  return (
    <section class="card" aria-labelledby="multi-title">
      <h2 id="multi-title">Multi-label: every label decided on its own</h2>
      <p class="summary">
        micro F1 <strong>{pct(m.Micro.F1Score)}</strong> (precision {pct(m.Micro.Precision)}, recall {pct(m.Micro.Recall)}) · macro F1 <strong>{pct(m.Macro.F1Score)}</strong> ·
        exact match {pct(m.ExactMatch)} · Hamming loss {m.HammingLoss.toFixed(3)}
      </p>
      <p class="hint">A photo may carry any number of labels, so there is no single-label confusion matrix: each label's row says how often it was rightly and wrongly given.</p>
      <LabelTable summary={summary} />
    </section>
  );
}

/** A group's confusion matrix from the summary: each cell is the share of that true value's test images. */
function ShareHeatmap({ group }: { group: Group }) {
  const share = new Map(group.ConfusionMatrix.map((c) => [`${c.GroundTruthLabel}\u0000${c.PredictedLabel}`, c.Value]));
  return (
    <div class="heat-wrap">
      <table class="heat" aria-label={`Confusion matrix of ${group.Group}: rows are the true value, columns the predicted one, cells the share of the row's images`}>
        <thead>
          <tr>
            <th scope="col" class="corner">true ↓ / predicted →</th>
            {group.Values.map((v) => (
              <th key={v} scope="col">
                <span>{v}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {group.Values.map((t) => (
            <tr key={t}>
              <th scope="row">{t}</th>
              {group.Values.map((p) => {
                const value = share.get(`${t}\u0000${p}`) ?? 0;
                return (
                  <td key={p}>
                    <span
                      class="cell"
                      style={{ background: value ? `hsl(${t === p ? 150 : 5} 65% ${92 - value * 52}%)` : undefined, color: value > 0.6 ? '#fff' : undefined }}
                      title={`${t} predicted as ${p}`}
                    >
                      {value ? Math.round(value * 100) : 0}
                    </span>
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

export function GroupTab({ group, summary }: { group: Group; summary: EvaluationSummary }) {
  const prefix = `${group.Group}:`;
  const labels = { ...summary, LabelEvaluationResults: (summary.LabelEvaluationResults ?? []).filter((l) => l.Label.startsWith(prefix)) };
  return (
    <>
      <p class="summary">
        Group <strong>{group.Group}</strong>: {group.Values.length} values · {group.NumberOfTestingImages} test images · accuracy <strong>{pct(group.Accuracy)}</strong> (
        {pct(group.AccuracyWhereValued)} where the photo has a value) · macro F1 {pct(group.F1Score)}
      </p>
      <div class="cols">
        <section class="card">
          <h2>Per value</h2>
          <LabelTable summary={labels} />
        </section>
        <section class="card">
          <h2>Confusion matrix: {group.Group}</h2>
          <p class="hint">Rows: true value; columns: predicted value; cells: % of the row's test images.</p>
          <ShareHeatmap group={group} />
        </section>
      </div>
    </>
  );
}

export function LevelsTab({ summary }: { summary: EvaluationSummary }) {
  const levels = summary.LevelEvaluationResults ?? [];
  const fallback = summary.FallbackEvaluation;
  const points = fallback ? [fallback.own, ...fallback.targets] : [];
  return (
    <div class="cols">
      <section class="card">
        <h2>Accuracy per level</h2>
        <table class="metrics">
          <thead>
            <tr>
              <th scope="col">Level</th>
              <th scope="col">Nodes</th>
              <th scope="col">Test images</th>
              <th scope="col">Accuracy</th>
            </tr>
          </thead>
          <tbody>
            {levels.map((l) => (
              <tr key={l.Level}>
                <th scope="row">{l.Level}</th>
                <td class="num">{l.Nodes}</td>
                <td class="num">{l.NumberOfTestingImages}</td>
                <td>{pct(l.Accuracy)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {fallback && (
        <section class="card">
          <h2>Falling back to a parent</h2>
          <p class="hint">
            Below a label's threshold the answer is its parent (Milk instead of Arla Standard Milk), else unknown. Targets were fitted on{' '}
            {fallback.calibratedOn === 'out-of-fold' ? 'held-out training folds' : 'the test images (a description, not a setting)'}.
          </p>
          <table class="metrics">
            <thead>
              <tr>
                <th scope="col">Thresholds</th>
                <th scope="col">Answered with a label</th>
                <th scope="col">With a parent</th>
                <th scope="col">Unknown</th>
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr key={String(p.targetPrecision)}>
                  <th scope="row">{p.targetPrecision === null ? "the version's own" : `target precision ${pct(p.targetPrecision)}`}</th>
                  <td>
                    {pct(p.labelCoverage)} <span class="hint">({pct(p.labelPrecision)} right)</span>
                  </td>
                  <td>
                    {pct(p.parentCoverage)} <span class="hint">({pct(p.parentPrecision)} right)</span>
                  </td>
                  <td>{pct(p.unknown)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
