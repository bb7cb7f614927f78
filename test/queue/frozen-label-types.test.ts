// One frozen pipeline for every label type: a multi-label or groups training given a queue embeds on a
// `skulens worker` (a real redis-server and worker process), none in-process; its class-imbalance option
// is the one it records; and the multi-label head, which trains on the centre view only, embeds no
// augmented views.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { getBackbone, openEmbedder, type Embedder } from '../../src/backbone/index.js';
import { importDataset } from '../../src/dataset/index.js';
import { resolveHome } from '../../src/home/index.js';
import { trainVersion } from '../../src/jobs/index.js';
import type { LabelType } from '../../src/labels/index.js';
import { JobQueue } from '../../src/queue/index.js';
import { Registry, readModel } from '../../src/registry/index.js';
import { colourPhoto, installTinyBackbone, tinyBackboneRow } from '../backbone/fixtures.js';
import { spawnNode, tempDir, waitForLine } from '../helpers/fixtures.js';
import { startRedis } from './redis.js';

const COLOURS: Record<string, { rgb: [number, number, number]; warmth: string }> = {
  red: { rgb: [200, 40, 40], warmth: 'warm' },
  orange: { rgb: [230, 140, 30], warmth: 'warm' },
  green: { rgb: [40, 190, 50], warmth: 'cool' },
  blue: { rgb: [40, 50, 200], warmth: 'cool' },
};
const LABELS: Record<'multi' | 'groups', (colour: string) => string[]> = {
  multi: (c) => [c, COLOURS[c]!.warmth],
  groups: (c) => [`colour:${c}`, `warmth:${COLOURS[c]!.warmth}`],
};

/** A home with the tiny backbone and one project per label type over the same 40 colour photos. */
async function colourHome(root: string): Promise<{ homeDir: string; registry: Registry; home: ReturnType<typeof resolveHome> }> {
  const homeDir = path.join(root, 'home');
  const home = resolveHome(homeDir, { SKULENS_MODELS: path.join(root, 'models') });
  installTinyBackbone(path.join(root, 'models'), tinyBackboneRow('raw255', 'GlobalAveragePool of raw pixels'));
  const registry = Registry.open(home.database);
  const rows: string[] = [];
  let n = 0;
  for (const colour of Object.keys(COLOURS)) {
    for (let k = 0; k < 10; k++, n++) {
      const file = path.join(root, 'photos', `${colour}-${k}.png`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, await colourPhoto(COLOURS[colour]!.rgb, n));
      rows.push(`${path.relative(root, file)},${colour},${k < 7 ? 'train' : 'test'}`);
    }
  }
  for (const type of ['multi', 'groups'] as const) {
    registry.projects.create(type, type as LabelType);
    const csv = ['path,labels,split', ...rows.map((row) => { const [file, colour, split] = row.split(','); return `${file},${LABELS[type](colour!).join('|')},${split}`; })];
    fs.writeFileSync(path.join(root, `${type}.csv`), csv.join('\n'));
    await importDataset(registry, home, type, path.join(root, `${type}.csv`));
  }
  return { homeDir, registry, home };
}

test('multi-label and groups trainings embed on the queue, record their class-imbalance option, and embed only views they use', { timeout: 300_000 }, async (t) => {
  const redis = await startRedis(t);
  if (!redis) return;
  const root = tempDir(t, 'frozen-label-types');
  const { homeDir, registry, home } = await colourHome(root);
  redis.defer(() => registry.close());
  const worker = spawnNode(['src/cli/main.ts', '--home', homeDir, 'worker', '--redis', redis.url], { env: { SKULENS_MODELS: path.join(root, 'models') } });
  redis.defer(() => worker.kill('SIGKILL'));
  // The CLI compiles under tsx before it is ready: minutes on a loaded machine.
  await waitForLine(worker, (line) => line.startsWith('worker ready on redis://127.0.0.1:'), 120_000);
  const queue = await JobQueue.open(redis.url);
  redis.defer(() => queue.close());
  const embedder: Embedder = await openEmbedder(getBackbone('tiny', home.models), { modelsDir: home.models, workers: 1 });
  redis.defer(() => embedder.close());

  const params = { backbone: 'tiny', tune: false, C: 10, workers: 1, classWeights: 'none' as const, augment: 'flip' };
  // Cached vectors: <sha256>.f32 for a photo, <sha256>.<view>.f32 for an augmented view.
  const cached = (): string[] => (fs.existsSync(home.embeddingCache) ? fs.readdirSync(home.embeddingCache, { recursive: true }).map((f) => path.basename(String(f))).filter((f) => f.endsWith('.f32')) : []);
  const views = (files: string[]): string[] => files.filter((f) => /^[0-9a-f]{64}\..+\.f32$/.test(f));
  const multi = await trainVersion(registry, home, 'multi', params, { queue, embedder });
  assert.equal(embedder.stats().reduce((sum, s) => sum + s.embedded, 0), 0, 'the multi-label run embedded photos itself instead of on the worker');
  assert.equal((await readModel(home, multi.version.dir!)).manifest.params.balance, 'none', 'classWeights none is the balance the multi-label version records');
  const afterMulti = cached();
  assert.ok(afterMulti.length > 0);
  assert.deepEqual(views(afterMulti), [], 'the multi-label run embedded augmented views it never uses');

  const groups = await trainVersion(registry, home, 'groups', params, { queue, embedder });
  assert.equal(embedder.stats().reduce((sum, s) => sum + s.embedded, 0), 0, 'the groups run embedded photos itself instead of on the worker');
  assert.equal((await readModel(home, groups.version.dir!)).manifest.params.balance, 'none');
  assert.ok(views(cached()).length > 0, 'the groups head trains on augmented views: they were embedded');
});
