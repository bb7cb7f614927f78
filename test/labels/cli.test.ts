// The CLI faces of label types and taxonomies: `projects create --labels`, `labels taxonomy`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';

test('projects create --labels groups makes a groups project; an unknown type is refused naming the flag', async (t) => {
  const home = path.join(tempDir(t, 'labels-cli'), 'home');
  const created = await runCli(home, 'projects', 'create', 'shelf', '--labels', 'groups');
  assert.equal(created.code, 0);
  assert.match(created.stdout, /Created project shelf \(groups labels\)/);
  const plain = await runCli(home, 'projects', 'create', 'shoes');
  assert.equal(plain.stdout.trim(), 'Created project shoes');
  const bad = await runCli(home, 'projects', 'create', 'odd', '--labels', 'tree');
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /--labels.*ERR_ARGUMENT_INVALID/s);
});

test('labels taxonomy reads a CSV into the project, shows it and clears it; a groups project refuses one', async (t) => {
  const root = tempDir(t, 'labels-cli');
  const home = path.join(root, 'home');
  await runCli(home, 'projects', 'create', 'grocery');
  await runCli(home, 'projects', 'create', 'shelf', '--labels', 'groups');
  const csv = path.join(root, 'labels.csv');
  fs.writeFileSync(csv, 'fine_label,coarse_label,category\nArla-Standard-Milk,Milk,Packages\nBanana,Banana,Fruit\n');
  const set = await runCli(home, 'labels', 'taxonomy', 'grocery', csv, '--label-column', 'fine_label', '--levels', 'coarse_label,category');
  assert.equal(set.code, 0, set.stderr);
  assert.match(set.stdout, /2 labels under coarse_label > category/);
  const shown = await runCli(home, 'labels', 'taxonomy', 'grocery', '--show');
  assert.deepEqual(JSON.parse(shown.stdout), { levels: ['fine_label', 'coarse_label', 'category'], parents: { 'Arla-Standard-Milk': ['Milk', 'Packages'], Banana: ['Banana', 'Fruit'] } });
  await runCli(home, 'labels', 'taxonomy', 'grocery', '--clear');
  assert.equal((await runCli(home, 'labels', 'taxonomy', 'grocery', '--show')).stdout.trim(), 'null');
  const refused = await runCli(home, 'labels', 'taxonomy', 'shelf', csv, '--label-column', 'fine_label', '--levels', 'coarse_label');
  assert.match(refused.stderr, /ERR_LABEL_TYPE_UNSUPPORTED/);
});
