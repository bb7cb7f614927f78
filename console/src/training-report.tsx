// A finished version's training report (DescribeProjectVersionReport): the epoch curves of a fast or
// fine-tuned version, the fine-tune plan against what ran, and the tuning report: every head setting a
// frozen training tried (grouped cross-validation), or the fast path's fixed recipe.
import { call } from './api.js';
import { ErrorLine, pct, seconds, useAsync } from './components.js';
import { EpochChart } from './epoch-chart.js';

interface HeadConfig {
  kind: string;
  C: number;
  balance: string;
  augment: boolean;
  hidden?: number;
}

interface Report {
  TrainingMode: 'frozen' | 'fast' | 'fine-tune';
  TuningReport?: {
    folds?: number;
    stoppedBy?: string;
    tried?: { config: HeadConfig; accuracy: number; macroF1: number; seconds: number }[];
    winner?: HeadConfig;
    balance?: string;
    chosen?: Record<string, unknown>;
    budget?: Record<string, unknown>;
  };
  TrainingPlan?: { epochs?: number; requestedEpochs?: number; size?: number; expectedSeconds?: number; epochsRun?: number; stoppedBy?: string; probeValAccuracy?: number | null };
  EpochHistory: { Epoch: number; TrainLoss: number; ValLoss: number; ValAccuracy: number; Seconds: number; Best: boolean; Size?: number }[];
}

const same = (a: HeadConfig, b: HeadConfig | undefined) => b !== undefined && JSON.stringify(a) === JSON.stringify(b);

function describeConfig(c: HeadConfig): string {
  return `${c.kind}${c.hidden ? ` (${c.hidden} hidden)` : ''}, C ${c.C}, balance ${c.balance}${c.augment ? ', augmented views' : ''}`;
}

function Tried({ report }: { report: NonNullable<Report['TuningReport']> }) {
  const tried = [...(report.tried ?? [])].sort((a, b) => b.macroF1 - a.macroF1);
  return (
    <>
      <p class="hint">
        {tried.length} head setting(s) tried with {report.folds}-fold grouped cross-validation on the training photos (the search ended by {report.stoppedBy}); the chosen one is marked.
        {report.balance ? ` Balance: ${report.balance}.` : ''}
      </p>
      <div class="scroll">
        <table class="metrics tuning">
          <thead>
            <tr>
              <th scope="col">Head setting</th>
              <th scope="col">CV macro F1</th>
              <th scope="col">CV accuracy</th>
              <th scope="col">Seconds</th>
            </tr>
          </thead>
          <tbody>
            {tried.map((t, i) => (
              <tr key={i} class={same(t.config, report.winner) ? 'chosen' : ''}>
                <th scope="row">
                  {describeConfig(t.config)}
                  {same(t.config, report.winner) && <strong> · chosen</strong>}
                </th>
                <td>{pct(t.macroF1)}</td>
                <td>{pct(t.accuracy)}</td>
                <td class="num">{t.seconds.toFixed(1)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function Recipe({ values }: { values: Record<string, unknown> }) {
  return (
    <dl class="defaults">
      {Object.entries(values)
        .filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object')
        .map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{String(v)}</dd>
          </div>
        ))}
    </dl>
  );
}

export function TrainingReport({ arn, name }: { arn: string; name: string }) {
  const report = useAsync(() => call<Report>('DescribeProjectVersionReport', { ProjectVersionArn: arn }), [arn]);
  if (report.error) return <ErrorLine error={report.error} />;
  const r = report.value;
  if (!r) return <p class="hint">Reading the training report…</p>;
  const plan = r.TrainingPlan;
  return (
    <section class="report" aria-label={`Training report of ${name}`}>
      {r.EpochHistory.length > 0 && (
        <>
          <h3>Epochs</h3>
          <EpochChart
            title={`${name}: ${r.EpochHistory.length} epoch(s); best validation accuracy ${pct(Math.max(...r.EpochHistory.map((e) => e.ValAccuracy)))}`}
            points={r.EpochHistory.map((e) => ({ epoch: e.Epoch, trainLoss: e.TrainLoss, valLoss: e.ValLoss, valAccuracy: e.ValAccuracy }))}
          />
        </>
      )}
      {plan && (
        <p>
          Plan: {plan.epochs} epoch(s){plan.requestedEpochs !== undefined && plan.requestedEpochs !== plan.epochs ? ` of the ${plan.requestedEpochs} asked (fitted to the budget)` : ''} at {plan.size} px, about{' '}
          {seconds(plan.expectedSeconds ?? NaN)}; ran {plan.epochsRun}, stopped by {plan.stoppedBy}
          {typeof plan.probeValAccuracy === 'number' ? ` · linear probe before fine-tuning ${pct(plan.probeValAccuracy)}` : ''}
        </p>
      )}
      <h3>Tuning report</h3>
      {r.TuningReport?.tried ? (
        <Tried report={r.TuningReport} />
      ) : r.TuningReport?.chosen ? (
        <>
          <p class="hint">The fast path's fixed recipe (no search), as run:</p>
          <Recipe values={{ ...r.TuningReport.chosen, ...(r.TuningReport.budget ?? {}) }} />
        </>
      ) : (
        <p class="hint">
          {r.TrainingMode === 'fine-tune' ? 'A fine-tune follows a fixed recipe (no head search); its epochs are above.' : 'This version has no tuning report.'}
        </p>
      )}
    </section>
  );
}
