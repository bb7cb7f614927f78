// A label hierarchy (taxonomy): each trained label with its ancestors, nearest first (Arla-Standard-Milk ->
// Milk -> Packages), and the names of the levels. Read from a CSV (one row per label, a column per level)
// or from nested folders (<root>/Milk/Arla-Standard-Milk/*.jpg). Pure: no I/O.
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { SkulensError, reasonOf } from '../errors.js';

/** A project's hierarchy. Stored per project; applies to every single-label version of it. */
export interface Taxonomy {
  /** Level names from the labels up: ["fine_label", "coarse_label", "category"]. At least 2. */
  levels: string[];
  /** Each label's ancestors, nearest first; at most levels.length - 1 of them. */
  parents: Record<string, string[]>;
}

export const TaxonomySchema = z.object({
  levels: z.array(z.string().min(1)).min(2),
  parents: z.record(z.string(), z.array(z.string().min(1))),
});

/** Level names of folder nesting: the label's own folder, then one level per folder above it. */
export const NESTED_LEVELS = Object.freeze(['label', 'parent', 'grandparent', 'level-3', 'level-4', 'level-5', 'level-6', 'level-7']);

export interface TaxonomyCsvColumns {
  /** The column holding the trained label (e.g. fine_label). */
  labelColumn: string;
  /** The columns of the ancestors, nearest parent first (e.g. coarse_label, category). */
  levels: readonly string[];
}

/**
 * Reads a taxonomy CSV: a header row, then one row per label. grocery-store-dev's labels.csv works with
 * `{labelColumn: 'fine_label', levels: ['coarse_label', 'category']}`. An empty ancestor cell ends that
 * label's chain there.
 *
 * @throws SkulensError ERR_TAXONOMY_INVALID naming the file, line or column.
 */
export function parseTaxonomyCsv(text: string, source: string, columns: TaxonomyCsvColumns): Taxonomy {
  const invalid = (detail: string): SkulensError => new SkulensError('ERR_TAXONOMY_INVALID', { source, detail });
  if (columns.levels.length === 0) throw invalid('name at least one parent level (--levels A,B: column names, nearest parent first)');
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
  } catch (error) {
    throw invalid(reasonOf(error));
  }
  const header = (rows[0] ?? []).map((cell) => cell.trim());
  const indexOf = (name: string): number => {
    const index = header.indexOf(name);
    if (index < 0) throw invalid(`it has no column "${name}" (found: ${header.map((h) => `"${h}"`).join(', ') || 'nothing'})`);
    return index;
  };
  const labelIndex = indexOf(columns.labelColumn);
  const levelIndexes = columns.levels.map(indexOf);
  const parents: Record<string, string[]> = {};
  rows.slice(1).forEach((row, i) => {
    const label = row[labelIndex]?.trim() ?? '';
    if (label === '') throw invalid(`line ${i + 2} has an empty "${columns.labelColumn}" cell`);
    const chain: string[] = [];
    for (const index of levelIndexes) {
      const cell = row[index]?.trim() ?? '';
      if (cell === '') break;
      chain.push(cell);
    }
    const earlier = parents[label];
    if (earlier && earlier.join('\0') !== chain.join('\0')) throw invalid(`label "${label}" is listed twice with different parents (line ${i + 2})`);
    parents[label] = chain;
  });
  if (Object.keys(parents).length === 0) throw invalid('it lists no labels');
  return checkTaxonomy({ levels: [columns.labelColumn, ...columns.levels], parents }, source);
}

/**
 * The taxonomy of nested folders: each label folder with the folders above it (nearest first).
 *
 * @example
 * taxonomyFromNesting([{ label: 'Arla-Standard-Milk', parents: ['Milk', 'Packages'] }]);
 * // -> { levels: ['label', 'parent', 'grandparent'], parents: { 'Arla-Standard-Milk': ['Milk', 'Packages'] } }
 */
export function taxonomyFromNesting(items: readonly { label: string; parents: readonly string[] }[], source = 'of the nested folders'): Taxonomy {
  const parents: Record<string, string[]> = {};
  for (const { label, parents: chain } of items) {
    const earlier = parents[label];
    if (earlier && earlier.join('\0') !== chain.join('\0')) {
      throw new SkulensError('ERR_TAXONOMY_INVALID', { source, detail: `label folder "${label}" sits under two different parents (${earlier.join(' / ') || 'the root'} and ${chain.join(' / ') || 'the root'})` });
    }
    parents[label] = [...chain];
  }
  const depth = Math.max(1, ...Object.values(parents).map((chain) => chain.length));
  if (depth + 1 > NESTED_LEVELS.length) throw new SkulensError('ERR_TAXONOMY_INVALID', { source, detail: `folders nest ${depth} levels deep; at most ${NESTED_LEVELS.length - 1}` });
  return checkTaxonomy({ levels: NESTED_LEVELS.slice(0, depth + 1), parents }, source);
}

/**
 * Checks a taxonomy: no label is its own ancestor, chains fit the levels, and a parent name means the same
 * node wherever it appears (its own parents agree). @throws SkulensError ERR_TAXONOMY_INVALID
 */
export function checkTaxonomy(taxonomy: Taxonomy, source: string): Taxonomy {
  const invalid = (detail: string): SkulensError => new SkulensError('ERR_TAXONOMY_INVALID', { source, detail });
  const above = new Map<string, string>();
  for (const [label, chain] of Object.entries(taxonomy.parents)) {
    if (chain.length > taxonomy.levels.length - 1) throw invalid(`label "${label}" has ${chain.length} ancestors but only ${taxonomy.levels.length - 1} parent levels are named`);
    chain.forEach((node, d) => {
      if (chain.indexOf(node) !== d) throw invalid(`"${node}" appears twice among the ancestors of "${label}"`);
      const key = `${d}\0${node}`;
      const rest = chain.slice(d + 1).join(' / ');
      if (above.has(key) && above.get(key) !== rest) throw invalid(`"${node}" has two different parents (${above.get(key) || 'none'} and ${rest || 'none'})`);
      above.set(key, rest);
    });
  }
  return taxonomy;
}

/** The ancestors of `label` (nearest first), or [] when the taxonomy does not list it. */
export function ancestorsOf(taxonomy: Taxonomy | null, label: string): string[] {
  return taxonomy?.parents[label] ?? [];
}
