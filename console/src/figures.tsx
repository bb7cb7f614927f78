// The three figures a shop decides on, shown on every evaluation: argmax accuracy, coverage (the share
// of test photos that get a label at the version's thresholds, as DetectCustomLabels answers without
// MinConfidence) and answered precision (the share of those labels that are right); the labels without
// test photos; and a warning when the thresholds were chosen looking at the test split.
import { pct } from './components.js';
import type { VersionDescription } from './versions.js';

export interface Figures {
  accuracy: number;
  coverage: number;
  answeredPrecision: number;
}

/** The figures as trained, from the version's evaluation summary (undefined for a version trained before they existed). */
export function trainedFigures(version: VersionDescription): Figures | undefined {
  const a = version.EvaluationSummary?.AnswerEvaluationResults;
  return a ? { accuracy: a.Accuracy, coverage: a.Coverage, answeredPrecision: a.AnsweredPrecision } : undefined;
}

/** Accuracy, coverage and answered precision side by side; `trained` (when the thresholds are being edited) in brackets. */
export function FigureLine({ figures, trained, version }: { figures: Figures; trained?: Figures; version: VersionDescription }) {
  const answer = version.EvaluationSummary?.AnswerEvaluationResults;
  const was = (pick: (f: Figures) => number) => (trained && pick(trained) !== pick(figures) ? ` (as trained: ${pct(pick(trained))})` : '');
  return (
    <section class="figures" aria-label="Figures at the thresholds">
      <dl>
        <div>
          <dt>Accuracy</dt>
          <dd>
            <strong>{pct(figures.accuracy)}</strong>
            {was((f) => f.accuracy)}
          </dd>
        </div>
        <div>
          <dt title="share of test photos that get a label at these thresholds">Coverage</dt>
          <dd>
            <strong>{pct(figures.coverage)}</strong>
            {was((f) => f.coverage)}
          </dd>
        </div>
        <div>
          <dt title="share of the labels answered at these thresholds that are right">Answered precision</dt>
          <dd>
            <strong>{pct(figures.answeredPrecision)}</strong>
            {was((f) => f.answeredPrecision)}
          </dd>
        </div>
      </dl>
      <p class="hint">
        Accuracy: the top label is right. Coverage: the photo gets a label at the thresholds (otherwise the answer is "not in the catalogue"). Answered precision: of the labels given, the share that are right.
      </p>
      {answer?.ThresholdsChosenOn === 'test' && (
        <p class="warning" role="note">
          Thresholds chosen on the test split: these figures flatter, they are not a measure on unseen photos.
        </p>
      )}
      {answer && answer.UntestedLabels.length > 0 && (
        <p class="hint">
          Untested (no test photos; trained and served, not measured): {answer.UntestedLabels.join(', ')}
        </p>
      )}
      {answer?.UntrainedLabels && (
        <p class="hint">
          {answer.UntrainedLabels.CountedAsErrors ? 'Counted as errors' : 'Left out'} (never trained): {answer.UntrainedLabels.Labels.join(', ')} on {answer.UntrainedLabels.NumberOfTestingImages} test photo(s)
        </p>
      )}
    </section>
  );
}
