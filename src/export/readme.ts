// The README written beside an export: what the files are and how to run them with onnxruntime in
// Python and JavaScript, filled in with this version's input name, size and scaling.
import type { ExportManifest } from './export-version.js';

function scaleLines(manifest: ExportManifest): { py: string; js: string } {
  const { scale } = manifest.preprocessing;
  if (scale === 'raw255') return { py: 'x = rgb.astype(np.float32)', js: 'const value = (c) => pixel[c];' };
  return {
    py: `x = (rgb.astype(np.float32) - np.array(${JSON.stringify(scale.mean)}, np.float32)) / np.array(${JSON.stringify(scale.std)}, np.float32)`,
    js: `const mean = ${JSON.stringify(scale.mean)}, std = ${JSON.stringify(scale.std)};\nconst value = (c) => (pixel[c] - mean[c]) / std[c];`,
  };
}

/** Markdown README for an export folder. */
export function exportReadme(manifest: ExportManifest): string {
  const p = manifest.preprocessing;
  const { py, js } = scaleLines(manifest);
  const nchw = p.layout === 'nchw';
  const resizePy =
    p.resize === 'squash'
      ? `img = img.resize((${p.size}, ${p.size}), Image.BILINEAR)`
      : `s = ${p.shorterSide} / min(img.size)\nimg = img.resize((max(${p.shorterSide}, round(img.width * s)), max(${p.shorterSide}, round(img.height * s))), Image.BILINEAR)\nleft, top = (img.width - ${p.size}) // 2, (img.height - ${p.size}) // 2\nimg = img.crop((left, top, left + ${p.size}, top + ${p.size}))`;
  const resizeJs =
    p.resize === 'squash'
      ? `.resize(${p.size}, ${p.size}, { fit: 'fill' })`
      : `.resize(${p.shorterSide}, ${p.shorterSide}, { fit: 'cover' })${p.shorterSide !== p.size ? `.extract({ left: ${Math.floor(((p.shorterSide ?? p.size) - p.size) / 2)}, top: ${Math.floor(((p.shorterSide ?? p.size) - p.size) / 2)}, width: ${p.size}, height: ${p.size} })` : ''}`;
  const full = manifest.graph === 'full';
  const intro = full
    ? `\`model.onnx\` is the whole model: image tensor \`${manifest.inputs.name}\` ${JSON.stringify(manifest.inputs.dims)} in, \`probabilities\` [N, ${manifest.labels.length}] out (also \`skulens_embedding\`, the L2-normalised embedding).`
    : `\`model.onnx\` is the classification head only: input \`embedding\` [N, ${manifest.backbone.dim}], the pooled output \`${manifest.backbone.tap}\` of backbone \`${manifest.backbone.id}\` (${manifest.backbone.runtime}; weights ${JSON.stringify(manifest.backbone.weights)}), which is not ONNX and so is not inside this file. Run that backbone on the preprocessed image${manifest.backbone.pool === 'mean-hw' ? ', average its output over height and width,' : ''} and feed the result; the graph L2-normalises it itself.`;
  const feedPy = full ? `x = x${nchw ? '.transpose(2, 0, 1)' : ''}[None]` : `x = embedding_from_backbone(x)  # shape [1, ${manifest.backbone.dim}]`;
  return `# ${manifest.version}, exported by skulens

${intro}

\`labels.json\` lists the labels (in output order), each label's threshold (0-1) and the preprocessing.
skulens answers a label when its probability reaches its threshold; no label at all means "not in the catalogue".

Preprocessing: ${p.notes} Size ${p.size}, resize \`${p.resize}\`${p.shorterSide ? ` (shorter side ${p.shorterSide})` : ''}, layout ${p.layout.toUpperCase()}, scale ${JSON.stringify(p.scale)}.

## Python (onnxruntime, numpy, Pillow)

\`\`\`python
import json, numpy as np, onnxruntime as ort
from PIL import Image, ImageOps

meta = json.load(open("labels.json"))
session = ort.InferenceSession("model.onnx")
img = ImageOps.exif_transpose(Image.open("photo.jpg")).convert("RGB")
${resizePy}
rgb = np.asarray(img)
${py}
${feedPy}
probs = session.run(["probabilities"], {"${manifest.inputs.name}": x.astype(np.float32)})[0][0]
answer = [(meta["labels"][k], float(probs[k]) * 100) for k in np.argsort(-probs) if probs[k] >= meta["thresholds"][k]]
print(answer or "not in the catalogue")
\`\`\`

## JavaScript (onnxruntime-node, sharp)

\`\`\`js
import fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';

const meta = JSON.parse(fs.readFileSync('labels.json', 'utf8'));
const session = await ort.InferenceSession.create('model.onnx');
const { data: pixels } = await sharp('photo.jpg').rotate()${resizeJs}
  .flatten({ background: '#ffffff' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
${js}
const size = ${p.size}, plane = size * size, x = new Float32Array(plane * 3);
for (let i = 0; i < plane; i++) {
  const pixel = [pixels[i * 3], pixels[i * 3 + 1], pixels[i * 3 + 2]];
  for (let c = 0; c < 3; c++) x[${nchw ? 'c * plane + i' : 'i * 3 + c'}] = value(c);
}
${
  full
    ? `const feeds = { '${manifest.inputs.name}': new ort.Tensor('float32', x, ${JSON.stringify(nchw ? [1, 3, p.size, p.size] : [1, p.size, p.size, 3])}) };`
    : `const feeds = { embedding: new ort.Tensor('float32', embeddingFromBackbone(x), [1, ${manifest.backbone.dim}]) };`
}
const probs = (await session.run(feeds)).probabilities.data;
const answer = meta.labels.map((name, k) => ({ name, confidence: probs[k] * 100, k }))
  .filter(({ k }) => probs[k] >= meta.thresholds[k]).sort((a, b) => b.confidence - a.confidence);
console.log(answer.length ? answer : 'not in the catalogue');
\`\`\`
`;
}
