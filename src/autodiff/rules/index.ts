// The table of gradient rules, one row per ONNX op the training engine can differentiate.
import type { GradRule } from '../context.js';
import { conv } from './conv.js';
import { ELEMENTWISE_RULES } from './elementwise.js';
import { LINEAR_RULES } from './linear.js';
import { SHAPE_RULES } from './shape-ops.js';

export const GRADIENT_RULES: Readonly<Record<string, GradRule>> = Object.freeze({ Conv: conv, ...ELEMENTWISE_RULES, ...LINEAR_RULES, ...SHAPE_RULES });
