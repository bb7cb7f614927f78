// Public face of the autodiff domain: reading an ONNX graph, cutting the part above a tensor, and
// building a training step (forward, loss, reverse pass) in standard ONNX ops that onnxruntime runs.
// Gradient rules cover the ops of CNN backbones (rules/); any other op is refused by name.
export { readGraph, graphAbove, nodesFor, opNode, intAttr, intsAttr, floatAttr, type Graph, type OpNode, type FloatConst } from './graph.js';
export { inferShapes, convGeometry, type Shapes, type ConvGeometry } from './shapes.js';
export { missingRules, dependents } from './backward.js';
export { GRADIENT_RULES } from './rules/index.js';
export { buildTrainingStep, buildForward, buildVjp, type ForwardSpec, type StepSpec, type BuiltStep } from './step.js';
export { lossInputs, type LossSpec } from './loss.js';
