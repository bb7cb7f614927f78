// The folders on the server's disk that requests may name (`serve --import-root DIR`, repeatable; none
// by default). A requested path counts only if its real path (symlinks resolved) lies inside one, and a
// path that is missing answers exactly like one that is outside, so a key cannot probe the disk. The
// check also records what the path was (its identity): whoever reads it later (an import child, a batch)
// checks again at use time that it is unchanged, so a swap for a symlink after this check reads nothing.
import fs from 'node:fs/promises';
import path from 'node:path';
import { identityOf, type FileIdentity } from '../dataset/index.js';
import { SkulensError } from '../errors.js';

function inside(root: string, target: string): boolean {
  return target === root || target.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** The import roots of one server, as real paths. */
export class ImportRoots {
  private constructor(readonly roots: readonly string[]) {}

  /**
   * Resolves the configured folders; each must exist and be a folder.
   *
   * @throws SkulensError ERR_CONFIG_INVALID naming the bad root.
   */
  static async of(dirs: readonly string[] = []): Promise<ImportRoots> {
    const roots: string[] = [];
    for (const dir of dirs) {
      const real = await fs.realpath(path.resolve(dir)).catch(() => undefined);
      const stat = real === undefined ? undefined : await fs.stat(real);
      if (real === undefined || !stat?.isDirectory()) throw new SkulensError('ERR_CONFIG_INVALID', { detail: `--import-root ${dir} is not an existing folder` });
      roots.push(real);
    }
    return new ImportRoots(Object.freeze(roots));
  }

  /**
   * The real path of `requested` (absolute, or relative to the first root) when it exists inside a root.
   *
   * @throws SkulensError ERR_PATH_NOT_ALLOWED (403) when it is missing or outside every root: the same answer for both.
   */
  async resolve(requested: string): Promise<string> {
    return (await this.check(requested)).path;
  }

  /**
   * Like {@link resolve}, with the identity (device, inode) the real path had when checked, for the
   * reader to compare at use time (dataset/confined-read.ts).
   *
   * @throws SkulensError ERR_PATH_NOT_ALLOWED (403), the same answer for missing and outside.
   */
  async check(requested: string): Promise<{ path: string; identity: FileIdentity }> {
    const refused = (): SkulensError => new SkulensError('ERR_PATH_NOT_ALLOWED', { path: requested });
    if (this.roots.length === 0 || requested.includes('\0')) throw refused();
    const absolute = path.resolve(this.roots[0]!, requested);
    const real = await fs.realpath(absolute).catch(() => undefined);
    if (!real || !this.roots.some((root) => inside(root, real))) throw refused();
    const identity = await identityOf(real);
    if (!identity) throw refused();
    return { path: real, identity };
  }

  /** How a server path is shown to clients: relative to its root (never the server's own layout), else null. */
  display(file: string): string | null {
    for (const root of this.roots) if (inside(root, file)) return path.relative(root, file).split(path.sep).join('/');
    return null;
  }
}
