// Public face of the registry: the SQLite metadata store (a repository per aggregate), version and
// project names and ARNs, and the immutable artefacts of versions.
export { Registry } from './registry.js';
export type { ProjectRepository } from './projects.repository.js';
export type { EntryRepository } from './entries.repository.js';
export { RESERVATION_ENV, type VersionRepository } from './versions.repository.js';
export type { KeyRepository, StoredApiKey, KeyRole } from './keys.repository.js';
export type { TaxonomyRepository } from './taxonomies.repository.js';
export type { ReviewRepository, UncertainPrediction, NewUncertainPrediction, UncertainStatus } from './review.repository.js';
export type { DatasetImportRepository, DatasetImport, DatasetImportStatus } from './imports.repository.js';
export {
  parseVersionRef,
  isVersionName,
  versionId,
  versionArn,
  projectArn,
  datasetArn,
  parseProjectArn,
  parseDatasetArn,
  type VersionRef,
  type DatasetType,
} from './arns.js';
export { VERSION_STATUSES } from './types.js';
export type { EntryChange, EntryChangeAction, ChangeOrigin } from './types.js';
export type { Entry, ImportIssue, NewEntry, Project, Split, SplitOrigin, Version, VersionStatus } from './types.js';
export {
  writeVersionArtefacts,
  readModel,
  readVersionJson,
  ModelManifestSchema,
  type ModelManifest,
  type SnapshotEntry,
  type VersionArtefacts,
} from './artefacts.js';
