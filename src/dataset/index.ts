// Public face of datasets: folder import, image inspection, the split and the health summary.
export { importFolder, distributeAutoSplit, type ImportReport, type ImportOptions, type SkippedFile } from './import.js';
export { listFolderDataset, labelProblem, type SourceFile, type FolderListing } from './folder-source.js';
export { inspectImage, sha256Hex, differenceHash, hammingDistance, type ImageFacts } from './inspect.js';
export { stratifiedSplit, DEFAULT_SPLIT_SEED, DEFAULT_TEST_FRACTION, type SplitItem } from './split.js';
export { checkDataset, formatHealthSummary, type HealthSummary, type Finding, type Severity } from './check.js';
export { LIMITS, type ImageFormat } from './limits.js';
export { nearDuplicateClusters, dhashDistance, NEAR_DUPLICATE_BITS } from './clusters.js';
