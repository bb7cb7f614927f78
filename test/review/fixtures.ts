// A home with the tiny colour backbone (dim 3: the mean of raw pixels) and a single-label project of
// coloured photos, some filed under the wrong colour, for the review loop's tests. Training on it takes seconds.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { importFolder } from '../../src/dataset/index.js';
import { resolveHome, type HomeLayout } from '../../src/home/index.js';
import { Registry } from '../../src/registry/index.js';
import { solidPng, tinyBackboneRow, tinyOnnxModel } from '../backbone/fixtures.js';

export const COLOURS: Record<string, [number, number, number]> = { red: [200, 40, 40], green: [40, 190, 50], blue: [40, 50, 200] };
/** Frozen training as fast as it goes: one logistic head, no search. */
export const QUICK = { backbone: 'tiny', tune: false, C: 1, workers: 1, budgetSeconds: 600 } as const;

/** A photo of colour `rgb` with a dark square placed by `n`, so no two photos are near-duplicates. */
export async function colourPhoto(rgb: [number, number, number], n: number): Promise<Buffer> {
  const jitter = (n * 7) % 23;
  const square = await solidPng(24, 20, [20, 20, 20]);
  const background = await solidPng(96, 80, [rgb[0] + jitter, rgb[1] + ((jitter * 3) % 17), rgb[2] + ((jitter * 5) % 13)]);
  return sharp(background).composite([{ input: square, left: (n * 13) % 72, top: (n * 29) % 60 }]).png().toBuffer();
}

/** Writes `count` photos of colour `colour` into dir/<label>/ (label defaults to the colour). */
export async function writePhotos(dir: string, colour: string, count: number, offset: number, label = colour): Promise<string[]> {
  fs.mkdirSync(path.join(dir, label), { recursive: true });
  const files: string[] = [];
  for (let k = 0; k < count; k++) {
    const file = path.join(dir, label, `${colour}-${offset + k}.png`);
    fs.writeFileSync(file, await colourPhoto(COLOURS[colour]!, offset + k));
    files.push(file);
  }
  return files;
}

export interface ReviewHome {
  home: HomeLayout;
  registry: Registry;
  /** The train photos filed under a wrong colour: a red photo labelled green, a blue one labelled red. */
  planted: string[];
}

/** Home `root`/home with project `shop`: 12 train and 3 test photos a colour, plus a red photo filed as green and a blue one filed as red. */
export async function reviewHome(root: string): Promise<ReviewHome> {
  const home = resolveHome(path.join(root, 'home'), { SKULENS_MODELS: path.join(root, 'models') });
  fs.mkdirSync(path.join(root, 'models', 'tiny'), { recursive: true });
  fs.writeFileSync(path.join(root, 'models', 'tiny', 'model.onnx'), tinyOnnxModel(8));
  fs.writeFileSync(path.join(root, 'models', 'tiny.backbone.json'), JSON.stringify(tinyBackboneRow('raw255', 'GlobalAveragePool of raw pixels')));
  const registry = Registry.open(home.database);
  const data = path.join(root, 'data');
  for (const colour of Object.keys(COLOURS)) {
    await writePhotos(path.join(data, 'train'), colour, 12, 0);
    await writePhotos(path.join(data, 'test'), colour, 3, 100);
  }
  const planted = [...(await writePhotos(path.join(data, 'train'), 'red', 1, 50, 'green')), ...(await writePhotos(path.join(data, 'train'), 'blue', 1, 50, 'red'))];
  registry.projects.create('shop');
  await importFolder(registry, home, 'shop', path.join(data, 'train'), { split: 'train' });
  await importFolder(registry, home, 'shop', path.join(data, 'test'), { split: 'test' });
  return { home, registry, planted };
}
