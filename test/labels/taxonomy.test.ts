import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NONE_VALUE, groupsOf, parseGroupLabel, parseTaxonomyCsv, taxonomyFromNesting } from '../../src/labels/index.js';

const CSV = `fine_label,fine_id,coarse_label,coarse_id,category
Arla-Standard-Milk,0,Milk,0,Packages
Garant-Standard-Milk,1,Milk,0,Packages
Granny-Smith,2,Apple,1,Fruit
Avocado,3,Avocado,2,Fruit
`;

test('a taxonomy CSV maps each label to its ancestors, nearest first, with the columns as level names', () => {
  const taxonomy = parseTaxonomyCsv(CSV, 'labels.csv', { labelColumn: 'fine_label', levels: ['coarse_label', 'category'] });
  assert.deepEqual(taxonomy.levels, ['fine_label', 'coarse_label', 'category']);
  assert.deepEqual(taxonomy.parents['Arla-Standard-Milk'], ['Milk', 'Packages']);
  assert.deepEqual(taxonomy.parents.Avocado, ['Avocado', 'Fruit']);
  assert.equal(Object.keys(taxonomy.parents).length, 4);
});

test('a taxonomy CSV without a named column is refused naming the column and what it has', () => {
  assert.throws(() => parseTaxonomyCsv(CSV, 'labels.csv', { labelColumn: 'fine', levels: ['coarse_label'] }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'ERR_TAXONOMY_INVALID');
    assert.match(error.message, /no column "fine".*"fine_label"/);
    return true;
  });
  assert.throws(() => parseTaxonomyCsv(CSV, 'labels.csv', { labelColumn: 'fine_label', levels: [] }), { code: 'ERR_TAXONOMY_INVALID' });
});

test('a parent filed under two different grandparents is refused', () => {
  const bad = 'label,parent,root\nA,Milk,Packages\nB,Milk,Fruit\n';
  assert.throws(() => parseTaxonomyCsv(bad, 'bad.csv', { labelColumn: 'label', levels: ['parent', 'root'] }), /"Milk" has two different parents/);
});

test('nested folders give a taxonomy with one level per folder', () => {
  const taxonomy = taxonomyFromNesting([
    { label: 'Arla-Standard-Milk', parents: ['Milk', 'Packages'] },
    { label: 'Banana', parents: ['Fruit'] },
  ]);
  assert.deepEqual(taxonomy.levels, ['label', 'parent', 'grandparent']);
  assert.deepEqual(taxonomy.parents.Banana, ['Fruit']);
  assert.throws(() => taxonomyFromNesting([{ label: 'X', parents: ['A'] }, { label: 'X', parents: ['B'] }]), { code: 'ERR_TAXONOMY_INVALID' });
});

test('groups are ordered from the fewest values to the most, with a none value where some photo lacks the group', () => {
  const groups = groupsOf([
    ['brand:arla', 'type:milk', 'product:arla-standard'],
    ['brand:garant', 'type:milk', 'product:garant-standard'],
    ['type:apple', 'product:granny-smith'],
  ]);
  assert.deepEqual(groups, [
    { name: 'type', values: ['apple', 'milk'] },
    { name: 'brand', values: ['arla', 'garant', NONE_VALUE] },
    { name: 'product', values: ['arla-standard', 'garant-standard', 'granny-smith'] },
  ]);
});

test('a label without group: and a photo with two values of one group are refused', () => {
  assert.throws(() => parseGroupLabel('milk'), { code: 'ERR_LABEL_GROUP_INVALID' });
  assert.throws(() => groupsOf([['brand:arla', 'brand:garant']]), /two values of group "brand"/);
  assert.deepEqual(parseGroupLabel('brand: arla:organic'), { group: 'brand', value: 'arla:organic' });
});
