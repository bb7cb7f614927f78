// Two versions compared on the same test photos: per-label F1 deltas (from each version's evaluation),
// the photos whose answer changed (fixed: wrong in A, right in B; broken: the reverse) and McNemar's test
// on those discordant photos. A photo is right when its argmax label is its truth, as the reports'
// accuracy counts it. Versions evaluated on different test photos are refused (ERR_VERSIONS_NOT_COMPARABLE).
import { SkulensError } from '../errors.js';
import type { EvaluationReport } from '../evaluate/index.js';
import type { HomeLayout } from '../home/index.js';
import { scoreTestImages, type ScoredTestSet } from '../jobs/index.js';
import { readVersionJson, versionId, type Registry, type Version } from '../registry/index.js';
import { mcnemar, type McNemarResult } from './mcnemar.js';

export interface ChangedPhoto {
  sha256: string;
  source: string;
  truth: string;
  /** Argmax label of A and of B. */
  a: string;
  b: string;
}

export interface LabelDelta {
  label: string;
  /** null where the version does not have the label. */
  f1A: number | null;
  f1B: number | null;
  delta: number | null;
}

export interface VersionComparison {
  a: string;
  b: string;
  testImages: number;
  accuracyA: number;
  accuracyB: number;
  labels: LabelDelta[];
  fixed: ChangedPhoto[];
  broken: ChangedPhoto[];
  mcnemar: McNemarResult;
  /** One line a person reads: which is better, and whether chance explains it (at the 5% level). */
  verdict: string;
}

const argmax = (probs: readonly number[]): number => probs.reduce((best, p, i) => (p > probs[best]! ? i : best), 0);

/** Compares `a` and `b` (both of one project, both trained) on their shared test photos. */
export async function compareVersions(registry: Registry, home: HomeLayout, a: Version, b: Version): Promise<VersionComparison> {
  const names = { a: versionId(a), b: versionId(b) };
  if (a.projectId !== b.projectId) throw new SkulensError('ERR_VERSIONS_NOT_COMPARABLE', { ...names, detail: 'they belong to different projects' });
  for (const v of [a, b]) {
    const type = (v.params as { labelType?: string }).labelType ?? 'single';
    if (type !== 'single') throw new SkulensError('ERR_LABEL_TYPE_UNSUPPORTED', { operation: 'Comparing versions', labelType: type, project: a.project, detail: 'the comparison counts one answer per photo' });
  }
  const [sa, sb] = [await scoreTestImages(registry, home, a), await scoreTestImages(registry, home, b)];
  const truthOf = (s: ScoredTestSet) => new Map(s.snapshot.filter((e) => e.split === 'test').map((e) => [e.sha256, e.label]));
  const [ta, tb] = [truthOf(sa), truthOf(sb)];
  const onlyA = [...ta.keys()].filter((k) => !tb.has(k)).length;
  const onlyB = [...tb.keys()].filter((k) => !ta.has(k)).length;
  const relabelled = [...ta].filter(([k, label]) => tb.has(k) && tb.get(k) !== label).length;
  if (onlyA + onlyB + relabelled > 0) {
    throw new SkulensError('ERR_VERSIONS_NOT_COMPARABLE', {
      ...names,
      detail: `they were evaluated on different test photos (${onlyA} only in ${names.a}, ${onlyB} only in ${names.b}, ${relabelled} with another label); compare versions trained on the same test split`,
    });
  }
  const predB = new Map(sb.predictions.map((p) => [p.sha256, p]));
  const fixed: ChangedPhoto[] = [];
  const broken: ChangedPhoto[] = [];
  let rightA = 0;
  let rightB = 0;
  let shared = 0;
  for (const pa of sa.predictions) {
    const pb = predB.get(pa.sha256);
    if (!pb) continue; // a stored copy gone since: left out of both
    shared += 1;
    const la = sa.manifest.labels[argmax(pa.probs)]!;
    const lb = sb.manifest.labels[argmax(pb.probs)]!;
    const okA = la === pa.truth;
    const okB = lb === pa.truth;
    rightA += okA ? 1 : 0;
    rightB += okB ? 1 : 0;
    const photo = { sha256: pa.sha256, source: pa.source, truth: pa.truth, a: la, b: lb };
    if (!okA && okB) fixed.push(photo);
    if (okA && !okB) broken.push(photo);
  }
  const [ra, rb] = [(await readVersionJson(home, a.dir!, 'report.json')) as EvaluationReport, (await readVersionJson(home, b.dir!, 'report.json')) as EvaluationReport];
  const f1 = (r: EvaluationReport) => new Map(r.perLabel.map((m) => [m.label, m.f1]));
  const [fa, fb] = [f1(ra), f1(rb)];
  const labels = [...new Set([...fa.keys(), ...fb.keys()])].sort().map((label) => {
    const f1A = fa.get(label) ?? null;
    const f1B = fb.get(label) ?? null;
    return { label, f1A, f1B, delta: f1A === null || f1B === null ? null : f1B - f1A };
  });
  const test = mcnemar(broken.length, fixed.length);
  const better = fixed.length > broken.length ? names.b : fixed.length < broken.length ? names.a : null;
  const verdict =
    better === null
      ? `${names.a} and ${names.b} make as many errors on these photos (${fixed.length} fixed, ${broken.length} broken)`
      : `${better} is right on ${Math.abs(fixed.length - broken.length)} more photo(s) (${fixed.length} fixed, ${broken.length} broken); ` +
        (test.pValue < 0.05 ? `more than chance (p = ${test.pValue.toPrecision(2)})` : `which chance explains (p = ${test.pValue.toPrecision(2)}, not below 0.05)`);
  return { ...names, testImages: shared, accuracyA: shared ? rightA / shared : 0, accuracyB: shared ? rightB / shared : 0, labels, fixed, broken, mcnemar: test, verdict };
}
