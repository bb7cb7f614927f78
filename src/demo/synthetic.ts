// Owns `skulens demo`'s data: writes a seeded catalogue of synthetic product photos, a folder per label,
// so the demo needs no real photos. Same seed and options give byte-identical files.
import path from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import { SkulensError } from '../errors.js';
import { writeFileAtomic } from '../home/index.js';
import { createRng, mixSeed } from './prng.js';
import { PRODUCTS, type Product } from './products.js';
import { planShot, type Shot } from './scene.js';

/** Options of {@link generateSyntheticCatalogue}; every field has a default. */
export interface SyntheticCatalogueOptions {
  /** Seed of the whole catalogue; default 7. */
  seed?: number;
  /** Photos per label; default 30. */
  perLabel?: number;
  /** Long side of each photo in px; default 320. */
  size?: number;
}

/** What {@link generateSyntheticCatalogue} wrote. */
export interface SyntheticCatalogue {
  /** Absolute path of the catalogue folder. */
  root: string;
  /** Label names, which are also the folder names, in catalogue order. */
  labels: string[];
  /** Number of JPEG files written. */
  files: number;
}

const optionsSchema = z.object({
  seed: z.number().int().default(7),
  perLabel: z.number().int().min(1).max(10_000).default(30),
  size: z.number().int().min(32).max(4096).default(320),
});

// Renders at a time; each render is small, so a few in flight keep two cores busy without piling up memory.
const CONCURRENCY = 4;

/** Rasterises a planned shot to JPEG bytes. */
async function renderShot(shot: Shot): Promise<Buffer> {
  const encode = async (svg: string): Promise<Buffer> => {
    let image = sharp(Buffer.from(svg));
    if (shot.blur > 0) image = image.blur(shot.blur);
    return image.jpeg({ quality: shot.quality }).toBuffer();
  };
  try {
    return await encode(shot.svg);
  } catch (error) {
    // Text is the only part that leans on the machine (fonts); if it breaks rendering, drop it.
    const withoutText = shot.svg.replace(/<text\b[^>]*>[^<]*<\/text>/g, '');
    if (withoutText === shot.svg) throw error;
    return encode(withoutText);
  }
}

async function runBounded(tasks: readonly (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++];
      if (task) await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

function fileName(product: Product, index: number, perLabel: number): string {
  const digits = Math.max(3, String(perLabel).length);
  return `${product.label}-${String(index + 1).padStart(digits, '0')}.jpg`;
}

/**
 * Writes `<outDir>/<label>/<label>-NNN.jpg` for each of the five demo products, `perLabel` photos each,
 * with varied pose, scale, position, lighting, background, clutter and JPEG quality. Each photo draws
 * from its own seeded stream, so output is byte-identical for a seed whatever the render order (on one
 * machine: another sharp/libvips build or font set may change pixels). Brand text needs a system font;
 * without one it renders as boxes or nothing, never an error. Files are written atomically; files of
 * the same name are replaced, other files are left alone.
 *
 * @example
 * const catalogue = await generateSyntheticCatalogue('/tmp/demo', { seed: 7, perLabel: 30 });
 * // catalogue.labels -> ['Lumo milk carton 1L', ...], catalogue.files -> 150
 *
 * @throws SkulensError `ERR_ARGUMENT_INVALID` when an option is out of range.
 */
export async function generateSyntheticCatalogue(outDir: string, options: SyntheticCatalogueOptions = {}): Promise<SyntheticCatalogue> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SkulensError('ERR_ARGUMENT_INVALID', { field: issue?.path.join('.') || 'options', detail: issue?.message ?? 'invalid' }, { cause: parsed.error });
  }
  const { seed, perLabel, size } = parsed.data;
  const root = path.resolve(outDir);

  const tasks = PRODUCTS.flatMap((product, labelIndex) =>
    Array.from({ length: perLabel }, (_, index) => async (): Promise<void> => {
      const shot = planShot(product, createRng(mixSeed(seed, labelIndex, index)), size);
      const jpeg = await renderShot(shot);
      await writeFileAtomic(path.join(root, product.label, fileName(product, index, perLabel)), jpeg);
    }),
  );
  await runBounded(tasks, CONCURRENCY);

  return { root, labels: PRODUCTS.map((product) => product.label), files: tasks.length };
}
