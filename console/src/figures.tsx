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

/** The figures in the order shown: name, what it counts (the title), and how to read it. */
const ROWS: readonly [string, string, (f: Figures) => number][] = [
  ['Accuracy', 'share of test photos whose most likely label is right', (f) => f.accuracy],
  ['Coverage', 'share of test photos that get a label at these thresholds', (f) => f.coverage],
  ['Answered precision', 'share of the labels answered at these thresholds that are right', (f) => f.answeredPrecision],
];

/** Accuracy, coverage and answered precision side by side; `trained` (when the thresholds are being edited) in brackets. */
export function FigureLine({ figures, trained, version }: { figures: Figures; trained?: Figures; version: VersionDescription }) {
  const answer = version.EvaluationSummary?.AnswerEvaluationResults;
  const was = (pick: (f: Figures) => number) => (trained && pick(trained) !== pick(figures) ? ` (as trained: ${pct(pick(trained))})` : '');
  return (
    <section class="figures" aria-label="Figures at the thresholds">
      <dl>
        {ROWS.map(([name, title, pick]) => (
          <div key={name}>
            <dt title={title}>{name}</dt>
            <dd>
              <strong>{pct(pick(figures))}</strong>
              {was(pick)}
            </dd>
          </div>
        ))}
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
