// Public face of the home folder: its layout and atomic writes.
export { resolveHome, blobPath, versionDir, type HomeLayout } from './layout.js';
export { writeFileAtomic, writeFileAtomicSync, publishDirAtomic, sweepTemp, processAlive } from './atomic.js';
export { sweepHome } from './sweep.js';
