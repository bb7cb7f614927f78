// Public face of the home folder: its layout and atomic writes.
export { resolveHome, blobPath, versionDir, batchResultsPath, reviewImagePath, reviewRankingPath, type HomeLayout } from './layout.js';
export { writeFileAtomic, writeFileAtomicSync, publishDirAtomic, sweepTemp, processAlive } from './atomic.js';
export { sweepHome, sweepOrphanBlobs, ORPHAN_BLOB_GRACE_MS } from './sweep.js';
export { resourceErrorOf, guardResources, guardResourcesSync, homeCondition } from './resources.js';
