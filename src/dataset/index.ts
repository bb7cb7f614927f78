// Public face of datasets: import from folders, CSVs and Ground Truth manifests (local or S3), export,
// image inspection, the split, near-duplicate clusters and the health report.
export { importFolder, importListing, distributeAutoSplit, drawPendingSplit, type ImportReport, type ImportOptions } from './import.js';
export { importDataset, listDataset, formatFromName, DatasetFormatSchema, type DatasetFormat, type DatasetImportOptions } from './import-dataset.js';
export { exportDataset, type ExportFormat, type ExportReport } from './export.js';
export type { SkippedFile, SourceItem, SourceListing, LabelAssignment } from './sources/types.js';
export { CsvColumnsSchema, type CsvColumns } from './sources/csv.js';
export { listFolderDataset, labelProblem, type SourceFile, type FolderListing, type WalkOptions } from './folder-source.js';
export { inspectImage, sha256Hex, differenceHash, hammingDistance, type ImageFacts } from './inspect.js';
export { stratifiedSplit, drawSplit, drawKey, stableFolds, heldFold, foldKey, DEFAULT_SPLIT_SEED, DEFAULT_TEST_FRACTION, type SplitItem, type FixedItem } from './split.js';
export { checkDataset, IMBALANCE_STRATEGY, EXTREME_ASPECT_RATIO, type CheckOptions, type HealthSummary, type Finding, type Severity } from './check.js';
export { formatHealthSummary } from './check-format.js';
export { ISSUE_KINDS, issueKindOf, type IssueKindName } from './issues.js';
export { LIMITS, type ImageFormat } from './limits.js';
export { readChecked, checkUnchanged, identityOf, type FileIdentity } from './confined-read.js';
export { checkPixelLimit } from './pixel-limit.js';
export { csvRow, neutraliseCell, restoreCell } from './csv-cells.js';
export { nearDuplicateClusters, dhashDistance, NEAR_DUPLICATE_BITS } from './clusters.js';
