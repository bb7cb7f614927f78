// Test-set metrics recomputed in the browser from a version's scored test images (ListTestPredictions),
// with the server's decision rule: a label is predicted when its probability >= its threshold;
// the confusion matrix and mistakes use the top label.

export interface Scored {
  Sha256: string;
  SourceRef: string;
  Truth: string;
  Probabilities: number[];
}

export interface LabelRow {
  label: string;
  support: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface Mistake {
  item: Scored;
  predicted: string | null;
  top: string;
  confidence: number;
}

function ratios(tp: number, fp: number, fn: number) {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  return { precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) };
}

export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** One label's precision and recall at `threshold` (0-1). */
export function labelAt(labels: readonly string[], items: readonly Scored[], k: number, threshold: number): LabelRow {
  let tp = 0;
  let fp = 0;
  let support = 0;
  for (const item of items) {
    const truth = item.Truth === labels[k];
    if (truth) support++;
    if (item.Probabilities[k]! >= threshold) truth ? tp++ : fp++;
  }
  return { label: labels[k]!, support, ...ratios(tp, fp, support - tp) };
}

export function confusion(labels: readonly string[], items: readonly Scored[]): Scored[][][] {
  const cells = labels.map(() => labels.map(() => [] as Scored[]));
  const index = new Map(labels.map((l, i) => [l, i]));
  for (const item of items) {
    const t = index.get(item.Truth);
    if (t !== undefined) cells[t]![argmax(item.Probabilities)]!.push(item);
  }
  return cells;
}

export function mistakes(labels: readonly string[], items: readonly Scored[], thresholds: readonly number[]): Mistake[] {
  const out: Mistake[] = [];
  for (const item of items) {
    const top = argmax(item.Probabilities);
    if (labels[top] === item.Truth) continue;
    const passed = item.Probabilities.some((p, k) => p >= thresholds[k]!);
    out.push({ item, top: labels[top]!, predicted: passed ? labels[top]! : null, confidence: item.Probabilities[top]! * 100 });
  }
  return out.sort((a, b) => b.confidence - a.confidence);
}

/** Precision and recall of label k over every distinct threshold (for the curve), recall ascending. */
export function prCurve(labels: readonly string[], items: readonly Scored[], k: number): { recall: number[]; precision: number[] } {
  const sorted = items.map((item) => ({ p: item.Probabilities[k]!, pos: item.Truth === labels[k] })).sort((a, b) => b.p - a.p);
  const positives = sorted.filter((s) => s.pos).length;
  const recall: number[] = [];
  const precision: number[] = [];
  let tp = 0;
  let seen = 0;
  for (const s of sorted) {
    seen++;
    if (s.pos) tp++;
    if (positives === 0) break;
    recall.push(tp / positives);
    precision.push(tp / seen);
  }
  return { recall, precision };
}

/**
 * Accuracy (top label right), coverage (share of photos with a label at `thresholds`) and answered
 * precision (share of those labels that are right), as the server's evaluation computes them.
 */
export function answerFigures(labels: readonly string[], items: readonly Scored[], thresholds: readonly number[]): { accuracy: number; coverage: number; answeredPrecision: number } {
  let right = 0;
  let covered = 0;
  let answered = 0;
  let answeredRight = 0;
  for (const item of items) {
    if (labels[argmax(item.Probabilities)] === item.Truth) right++;
    let any = false;
    item.Probabilities.forEach((p, k) => {
      if (p < thresholds[k]!) return;
      any = true;
      answered++;
      if (labels[k] === item.Truth) answeredRight++;
    });
    if (any) covered++;
  }
  const n = items.length || 1;
  return { accuracy: right / n, coverage: covered / n, answeredPrecision: answered === 0 ? 0 : answeredRight / answered };
}
