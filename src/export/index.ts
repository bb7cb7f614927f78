// Public face of export: a trained version as a self-contained ONNX file, labels.json and a README.
export { exportVersion, type ExportManifest } from './export-version.js';
export { appendHead, headOnlyModel, OUTPUTS } from './onnx-graph.js';
