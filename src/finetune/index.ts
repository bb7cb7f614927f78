// Public face of fine-tuning: the optional PyTorch engine (detected, run as a child process behind a
// typed JSON Lines protocol) and the image file it trains from. Jobs call it; nothing else needs Python.
// Two job kinds share the engine: the full fine-tune and the fast path (train the blocks above a cut on
// cached activations; see fast.ts).
export { detectEngine, runEngine, runFastEngine, pythonCandidates, ENGINE_SCRIPT, INSTALL_HINT, type EngineInfo, type RunEngineOptions } from './engine.js';
export { EngineMessageSchema, PlanSchema, parseEngineLine, CANCEL_LINE, type EnginePlan, type EngineJob, type FastJob, type EngineMessage, type EngineDone, type FastDone, type EpochRecord } from './protocol.js';
export { writeCanvasFile, canvasSide, pixelScale, type CanvasOptions } from './images.js';
export { checkExport, readHead, readFloat32, EXPORT_TOLERANCE, type ExportCheck } from './outputs.js';
export { ActivationCache, VIEW_KEYS, CROP_STRENGTH, viewSeed } from './activation-cache.js';
export { fastCut, lowerGraph, computeActivations, cropView, toFloat16 } from './lower-ort.js';
export { FastHeadsSchema, type FastHeads } from './fast-protocol.js';
export { trainFast, groupedValidation, heldOutFit, memberSplits, pooledF1Thresholds, defaultFastEpochs, epochsShowing, FastParamsSchema, type FastParams, type FastParamsInput, type FastItem, type FastRunInput, type FastRunOptions, type FastRunResult, type MemberSplit } from './fast.js';
export { trainFineTune, type FineTuneSettings } from './fine-tune-onnx.js';
