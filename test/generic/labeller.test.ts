import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GenericLabeller } from '../../src/generic/index.js';
import { jpeg, needsOptional, tempDir } from '../helpers/fixtures.js';

// The real npm models (CenterNet, nsfwjs) on a synthetic photo, ImageNet classes switched off; the
// shipped ImageNet classifier is tested on its own below, from an empty (fresh-install) models folder.
let labeller: GenericLabeller;
let withImagenet: GenericLabeller;
let photo: Buffer;
before(async () => {
  labeller = await GenericLabeller.open({ modelsDir: tempDir(undefined, 'generic-models'), imagenet: false, detector: needsOptional.skip ? false : true });
  withImagenet = await GenericLabeller.open({ modelsDir: tempDir(undefined, 'fresh-models'), detector: false });
  photo = await jpeg(7, 160, 120);
});
after(() => Promise.all([labeller.close(), withImagenet.close()]));

test('on a fresh install DetectLabels answers ImageNet classes by name with their parents', async () => {
  assert.equal(withImagenet.hasImagenet, true);
  const { Labels, LabelModelVersion } = await withImagenet.detectLabels({ bytes: photo }, { minConfidence: 0 });
  assert.equal(LabelModelVersion, 'mobilenet-v2-imagenet');
  const shoe = Labels.find((label) => label.Name === 'Running Shoe');
  assert.deepEqual(shoe?.Parents, [{ Name: 'Footwear' }, { Name: 'Shoe' }, { Name: 'Clothing' }]);
  assert.ok(Labels.some((label) => label.Name === 'Footwear' && label.Confidence >= shoe!.Confidence));
});

test('imagenetClasses gives the top classes, most confident first, with their DetectLabels names', async () => {
  const top = await withImagenet.imagenetClasses({ bytes: photo }, 5);
  assert.equal(top.length, 5);
  for (let k = 1; k < top.length; k++) assert.ok(top[k - 1]!.confidence >= top[k]!.confidence);
  assert.ok(top.every((c) => c.index >= 1 && c.index <= 1000 && c.name.length > 0));
  assert.ok(top.reduce((sum, c) => sum + c.confidence, 0) <= 100 + 1e-6);
  const { Labels } = await withImagenet.detectLabels({ bytes: photo }, { minConfidence: 0 });
  assert.equal(Labels.find((label) => label.Name === top[0]!.name)?.Confidence.toFixed(3), top[0]!.confidence.toFixed(3));
  await assert.rejects(labeller.imagenetClasses({ bytes: photo }), { code: 'ERR_BACKBONE_MISSING' });
});

test('DetectLabels answers in Rekognition shape, sorted by confidence and capped at MaxLabels', needsOptional, async () => {
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

test('DetectLabels with MinConfidence 100 answers no labels', needsOptional, async () => {
  assert.deepEqual((await labeller.detectLabels({ bytes: photo }, { minConfidence: 100 })).Labels, []);
});

test('DetectLabels rejects MaxLabels 0 with ERR_ARGUMENT_INVALID', needsOptional, async () => {
  await assert.rejects(labeller.detectLabels({ bytes: photo }, { maxLabels: 0 }), { code: 'ERR_ARGUMENT_INVALID' });
});

test('DetectModerationLabels answers the mapped names with MinConfidence 0 and nothing unsafe for a plain pattern', needsOptional, async () => {
  const all = await labeller.detectModerationLabels({ bytes: photo }, { minConfidence: 0 });
  assert.equal(all.ModerationModelVersion, 'nsfwjs-mobilenet_v2_mid');
  assert.deepEqual(all.ModerationLabels.map((l) => l.Name).sort(), ['Explicit Nudity', 'Illustrated Explicit Nudity', 'Suggestive']);
  assert.deepEqual((await labeller.detectModerationLabels({ bytes: photo })).ModerationLabels, []);
});

test('an unreadable image is rejected with ERR_IMAGE_UNREADABLE', needsOptional, async () => {
  await assert.rejects(labeller.detectLabels({ bytes: Buffer.from('not an image'), name: 'x.jpg' }), { code: 'ERR_IMAGE_UNREADABLE' });
});
