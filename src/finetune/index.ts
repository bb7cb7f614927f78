// Public face of fine-tuning: the optional PyTorch engine (detected, run as a child process behind a
// typed JSON Lines protocol) and the image file it trains from. Jobs call it; nothing else needs Python.
export { detectEngine, runEngine, pythonCandidates, ENGINE_SCRIPT, INSTALL_HINT, type EngineInfo, type RunEngineOptions } from './engine.js';
export { EngineMessageSchema, parseEngineLine, CANCEL_LINE, type EngineJob, type EngineMessage, type EngineDone, type EpochRecord } from './protocol.js';
export { writeCanvasFile, canvasSide, pixelScale, type CanvasOptions } from './images.js';
export { checkExport, readHead, readFloat32, EXPORT_TOLERANCE, type ExportCheck } from './outputs.js';
