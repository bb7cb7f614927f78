// Public face of fine-tuning: the fast path and fine-tuning on the ONNX Runtime engine (fast.ts,
// fine-tune-onnx.ts), and the optional PyTorch fine-tune engine (detected, run as a child process behind a
// typed JSON Lines protocol) with the image file it trains from. Only `--engine torch` needs Python.
export { detectEngine, runEngine, pythonCandidates, ENGINE_SCRIPT, INSTALL_HINT, type EngineInfo, type RunEngineOptions } from './engine.js';
export { EngineMessageSchema, PlanSchema, parseEngineLine, CANCEL_LINE, type EnginePlan, type EngineJob, type EngineMessage, type EngineDone, type FastDone, type EpochRecord } from './protocol.js';
export { writeCanvasFile, canvasSide, pixelScale, type CanvasOptions } from './images.js';
export { checkExport, readHead, readFloat32, EXPORT_TOLERANCE, type ExportCheck } from './outputs.js';
export { ActivationCache, VIEW_KEYS, CROP_STRENGTH, viewSeed } from './activation-cache.js';
export { fastCut, lowerGraph, computeActivations, cropView, toFloat16 } from './lower-ort.js';
export { FastHeadsSchema, type FastHeads } from './fast-protocol.js';
export { trainFast, groupedValidation, heldOutFit, memberSplits, pooledF1Thresholds, defaultFastEpochs, epochsShowing, FastParamsSchema, type FastParams, type FastParamsInput, type FastItem, type FastRunInput, type FastRunOptions, type FastRunResult, type MemberSplit } from './fast.js';
export { trainFineTune, type FineTuneSettings } from './fine-tune-onnx.js';
