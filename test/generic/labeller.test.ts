import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GenericLabeller } from '../../src/generic/index.js';
import { jpeg, tempDir } from '../helpers/fixtures.js';

// The real npm models (CenterNet, nsfwjs) on a synthetic photo; an empty models folder, so no ImageNet.
let labeller: GenericLabeller;
let photo: Buffer;
before(async () => {
  labeller = await GenericLabeller.open({ modelsDir: tempDir(undefined, 'generic-models') });
  photo = await jpeg(7, 160, 120);
});
after(() => labeller.close());

test('DetectLabels answers in Rekognition shape, sorted by confidence and capped at MaxLabels', async () => {
  const { Labels, LabelModelVersion } = await labeller.detectLabels({ bytes: photo }, { minConfidence: 0, maxLabels: 5 });
  assert.equal(labeller.hasImagenet, false);
  assert.equal(LabelModelVersion, 'centernet-coco');
  assert.equal(Labels.length, 5);
  for (let k = 1; k < Labels.length; k++) assert.ok(Labels[k - 1]!.Confidence >= Labels[k]!.Confidence);
  for (const label of Labels) {
    assert.deepEqual(Object.keys(label), ['Name', 'Confidence', 'Parents', 'Instances']);
    for (const { BoundingBox: box } of label.Instances) {
      for (const value of [box.Left, box.Top, box.Width, box.Height]) assert.ok(value >= 0 && value <= 1);
      assert.ok(box.Left + box.Width <= 1 + 1e-6 && box.Top + box.Height <= 1 + 1e-6);
    }
  }
});

test('DetectLabels with MinConfidence 100 answers no labels', async () => {
  assert.deepEqual((await labeller.detectLabels({ bytes: photo }, { minConfidence: 100 })).Labels, []);
});

test('DetectLabels rejects MaxLabels 0 with ERR_ARGUMENT_INVALID', async () => {
  await assert.rejects(labeller.detectLabels({ bytes: photo }, { maxLabels: 0 }), { code: 'ERR_ARGUMENT_INVALID' });
});

test('DetectModerationLabels answers the mapped names with MinConfidence 0 and nothing unsafe for a plain pattern', async () => {
  const all = await labeller.detectModerationLabels({ bytes: photo }, { minConfidence: 0 });
  assert.equal(all.ModerationModelVersion, 'nsfwjs-mobilenet_v2_mid');
  assert.deepEqual(all.ModerationLabels.map((l) => l.Name).sort(), ['Explicit Nudity', 'Illustrated Explicit Nudity', 'Suggestive']);
  assert.deepEqual((await labeller.detectModerationLabels({ bytes: photo })).ModerationLabels, []);
});

test('an unreadable image is rejected with ERR_IMAGE_UNREADABLE', async () => {
  await assert.rejects(labeller.detectLabels({ bytes: Buffer.from('not an image'), name: 'x.jpg' }), { code: 'ERR_IMAGE_UNREADABLE' });
});
