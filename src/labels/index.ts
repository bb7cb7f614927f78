// Public face of labels: a project's label type (single, multi, groups), the `group:value` grammar of
// attribute groups, and the taxonomy that files labels under parents. Pure: no I/O.
export { LABEL_TYPES, LabelTypeSchema, NONE_VALUE, LABEL_SEPARATOR, parseGroupLabel, groupLabel, groupsOf, type LabelType, type LabelGroup } from './label-types.js';
export {
  TaxonomySchema,
  NESTED_LEVELS,
  parseTaxonomyCsv,
  taxonomyFromNesting,
  checkTaxonomy,
  ancestorsOf,
  type Taxonomy,
  type TaxonomyCsvColumns,
} from './taxonomy.js';
export { MAX_LABEL_LENGTH, labelProblem, checkLabel, shownLabel, type LabelRule } from './validate.js';
