import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitShopLabelMap, predictShopLabel, shopMappingAccuracy } from '../../src/generic/index.js';

const c = (index: number, confidence = 50) => ({ index, confidence });

test('each generic class maps to the shop label it co-occurs with most on training photos', () => {
  const map = fitShopLabelMap([
    { classes: [c(770), c(514)], label: 'shoes' },
    { classes: [c(770)], label: 'shoes' },
    { classes: [c(770), c(611)], label: 'pants' },
    { classes: [c(611)], label: 'shorts' },
  ]);
  assert.equal(map.byClass.get(770), 'shoes');
  assert.equal(map.byClass.get(514), 'shoes');
  // A tie goes to the label first in sort order.
  assert.equal(map.byClass.get(611), 'pants');
  assert.equal(map.photos, 4);
});

test('a photo gets the label its classes vote for by confidence, or none when no class was seen in training', () => {
  const map = fitShopLabelMap([{ classes: [c(1)], label: 'a' }, { classes: [c(2)], label: 'b' }, { classes: [c(3)], label: 'b' }]);
  assert.equal(predictShopLabel(map, [c(1, 60), c(2, 30), c(3, 20)]), 'a');
  assert.equal(predictShopLabel(map, [c(1, 40), c(2, 30), c(3, 20)]), 'b');
  assert.equal(predictShopLabel(map, [c(9, 99)]), undefined);
  assert.deepEqual(shopMappingAccuracy(map, [{ classes: [c(1)], label: 'a' }, { classes: [c(2)], label: 'a' }, { classes: [c(9)], label: 'b' }]), { accuracy: 1 / 3, answered: 2, total: 3 });
});
