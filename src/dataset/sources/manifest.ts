// Lists a SageMaker Ground Truth manifest (JSON Lines), the format Rekognition Custom Labels imports:
// {"source-ref": "s3://b/k.jpg", "<attr>": 0, "<attr>-metadata": {"class-name": "shoe", ...}} per line,
// several <attr> keys for several labels, and the multi-label form with a "class-map". A bad line is
// rejected with its number and the rest imports. For a groups project each attribute is a group
// ("brand": "arla" becomes the label brand:arla).
import { z } from 'zod';
import { SkulensError, reasonOf } from '../../errors.js';
import type { S3Store } from '../../storage/index.js';
import { labelProblem } from '../folder-source.js';
import { resolveRef, type RefBase } from './refs.js';
import type { LabelAssignment, SourceListing } from './types.js';

/** Top-level key skulens writes on export so that a round trip keeps each image's split. */
export const SPLIT_KEY = 'skulens-split';
export const CLASSIFICATION = 'groundtruth/image-classification';
export const MULTILABEL = 'groundtruth/image-classification-multilabel';

const LineSchema = z.looseObject({ 'source-ref': z.string({ error: 'missing "source-ref"' }).trim().min(1, '"source-ref" is empty') });
const MetadataSchema = z.looseObject({ type: z.string().optional(), 'class-name': z.string().optional(), 'class-map': z.record(z.string(), z.string()).optional() });
// Fields that describe the label itself; everything else in "<attr>-metadata" is kept as entry metadata.
const STRUCTURAL = new Set(['class-name', 'type', 'class-map', 'confidence-map']);

export interface ManifestOptions {
  /** Read only these label attributes; default: every "<attr>" with an image-classification "<attr>-metadata". */
  labelAttributes?: readonly string[];
  /** A groups project: each attribute is a group, and its class names become `attr:class` labels. */
  attributeGroups?: boolean;
}

/** Parses manifest `text` (the file at `base`) into a listing. */
export async function listManifest(text: string, base: RefBase, options: ManifestOptions, store: () => S3Store): Promise<SourceListing> {
  const listing: SourceListing = { origin: base.file, items: [], rejected: [], notices: [] };
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = index + 1;
    const raw = lines[index]!.trim();
    if (raw === '') continue;
    try {
      const parsed = parseLine(raw, base.file, line, options);
      const resolved = await resolveRef(base, parsed.sourceRef, line, store);
      listing.items.push({ ref: resolved.ref, line, labels: parsed.labels, split: parsed.split, read: resolved.read });
    } catch (error) {
      const coded = error instanceof SkulensError ? error : new SkulensError('ERR_DATASET_MANIFEST_INVALID', { file: base.file, line, detail: reasonOf(error) });
      listing.rejected.push({ file: base.file, line, code: coded.code, reason: coded.message });
    }
  }
  return listing;
}

function parseLine(raw: string, file: string, line: number, options: ManifestOptions): { sourceRef: string; labels: LabelAssignment[]; split: 'train' | 'test' | null } {
  const invalid = (detail: string): SkulensError => new SkulensError('ERR_DATASET_MANIFEST_INVALID', { file, line, detail });
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw invalid(`malformed JSON (${reasonOf(error)})`);
  }
  const parsed = LineSchema.safeParse(json);
  if (!parsed.success) throw invalid(parsed.error.issues[0]?.message ?? 'not a JSON object');
  const record = parsed.data as Record<string, unknown>;
  const split = record[SPLIT_KEY];
  if (split !== undefined && split !== 'train' && split !== 'test') throw invalid(`"${SPLIT_KEY}" must be "train" or "test"`);

  const wanted = options.labelAttributes ? new Set(options.labelAttributes) : null;
  const attributes = Object.keys(record)
    .filter((key) => key.endsWith('-metadata'))
    .map((key) => key.slice(0, -'-metadata'.length))
    .filter((attr) => !wanted || wanted.has(attr));
  // A bare class id with no "-metadata" twin names a label nobody can read: an unknown label attribute.
  for (const [key, value] of Object.entries(record)) {
    const looksLikeClassId = typeof value === 'number' || (Array.isArray(value) && value.every((v) => typeof v === 'number'));
    if (looksLikeClassId && !(`${key}-metadata` in record) && (!wanted || wanted.has(key))) {
      throw invalid(`unknown label attribute "${key}": there is no "${key}-metadata" with its class name`);
    }
  }
  if (attributes.length === 0) {
    throw invalid(wanted ? `none of the label attributes ${[...wanted].map((a) => `"${a}"`).join(', ')} is on this line` : 'no label attribute ("<attr>" with "<attr>-metadata" holding "class-name")');
  }
  const shared: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === 'source-ref' || key === SPLIT_KEY || key.endsWith('-metadata') || `${key}-metadata` in record) continue;
    shared[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  const labels: LabelAssignment[] = [];
  for (const attr of attributes) {
    const meta = MetadataSchema.safeParse(record[`${attr}-metadata`]);
    if (!meta.success) throw invalid(`"${attr}-metadata" is not an object with "class-name"`);
    if (!(attr in record)) throw invalid(`unknown label attribute "${attr}": "${attr}-metadata" has no "${attr}" beside it`);
    const extra: Record<string, string> = { ...shared };
    for (const [key, value] of Object.entries(meta.data)) if (!STRUCTURAL.has(key)) extra[key] = typeof value === 'string' ? value : JSON.stringify(value);
    const names = classNames(attr, record[attr], meta.data, invalid).map((name) => (options.attributeGroups ? `${attr}:${name}` : name));
    for (const name of names) {
      const problem = labelProblem(name);
      if (problem) throw invalid(`label "${name}" is not usable (${problem})`);
      labels.push({ label: name, metadata: Object.keys(extra).length ? extra : null });
    }
  }
  return { sourceRef: parsed.data['source-ref'], labels, split: (split as 'train' | 'test' | undefined) ?? null };
}

function classNames(attr: string, value: unknown, meta: z.infer<typeof MetadataSchema>, invalid: (detail: string) => SkulensError): string[] {
  const type = meta.type ?? CLASSIFICATION;
  if (type === CLASSIFICATION) {
    if (!meta['class-name']) throw invalid(`"${attr}-metadata" has no "class-name"`);
    return [meta['class-name']];
  }
  if (type === MULTILABEL) {
    const map = meta['class-map'];
    if (!map || !Array.isArray(value)) throw invalid(`multi-label attribute "${attr}" needs a list of class ids and a "class-map"`);
    return value.map((id) => {
      const name = map[String(id)];
      if (name === undefined) throw invalid(`class id ${String(id)} of "${attr}" is not in its "class-map"`);
      return name;
    });
  }
  throw invalid(`label attribute "${attr}" is of type "${type}"; only image classification (${CLASSIFICATION}) is supported`);
}
