// Public face of the registry: the SQLite metadata store and version identifiers.
export { Registry } from './registry.js';
export { parseVersionRef, versionId, versionArn, type VersionRef } from './version-id.js';
export { VERSION_STATUSES } from './types.js';
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
