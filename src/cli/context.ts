// What every command gets: the resolved home, a lazily opened registry, and where to write.
import { guardResources, guardResourcesSync, resolveHome, sweepHome, sweepOrphanBlobs, type HomeLayout } from '../home/index.js';
import { Registry } from '../registry/index.js';
import { S3Store } from '../storage/index.js';

export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface CliIo {
  stdout: Output;
  stderr: Output;
  /** Where a question is answered (`projects delete` asks on a terminal); none in tests and pipes. */
  stdin?: NodeJS.ReadableStream & { readonly isTTY?: boolean };
}

export class CliContext {
  private registryInstance: Registry | undefined;
  private store: S3Store | undefined;
  /** What the command wants the process to exit with when it returns normally. */
  exitCode = 0;
  readonly home: HomeLayout;

  constructor(
    homeOption: string | undefined,
    readonly io: CliIo,
    /** Where settings come from (home, S3); the process environment unless a test passes its own. */
    readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.home = resolveHome(homeOption, env);
  }

  /** The registry of this home, opened on first use; leftovers of killed writes are swept then, and migration notices shown. */
  async registry(): Promise<Registry> {
    if (!this.registryInstance) {
      // A read-only or full home is said as such (ERR_HOME_READ_ONLY, ERR_DISK_FULL), never as an SQLite stack.
      const registry = (this.registryInstance = guardResourcesSync('opening the home', this.home, () => Registry.open(this.home.database)));
      for (const notice of registry.notices) this.info(`Notice: ${notice}`);
      await guardResources('opening the home', this.home, async () => {
        await sweepHome(this.home);
        await sweepOrphanBlobs(this.home, (blob) => registry.entries.blobInUse(blob));
      });
    }
    return this.registryInstance;
  }

  /** The S3 store of this environment (SKULENS_S3_ENDPOINT, AWS_*), made on first use. */
  readonly s3 = (): S3Store => (this.store ??= S3Store.fromEnv(this.home, this.env));

  /** A line for people, on stderr, so stdout stays machine-readable. */
  info(line: string): void {
    this.io.stderr.write(`${line}\n`);
  }

  /** A result line, on stdout. */
  print(line: string): void {
    this.io.stdout.write(`${line}\n`);
  }

  close(): void {
    this.registryInstance?.close();
    this.registryInstance = undefined;
    this.store?.destroy();
    this.store = undefined;
  }
}
