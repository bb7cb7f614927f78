// Public face of the review loop: likely mislabelled training photos (confident learning on out-of-fold
// probabilities), uncertain served predictions kept for a person to answer, and two versions compared
// on the same test photos (per-label F1 deltas, fixed and broken photos, McNemar).
export { confidentJoint, perLabelThresholds, type ConfidentJoint, type OutOfFoldPhoto, type Suspect } from './confident.js';
export { mcnemar, exactBinomialTwoSided, chiSquare1Upper, EXACT_BELOW, type McNemarResult } from './mcnemar.js';
export { mislabelledRanking, latestTrained, OutOfFoldFileSchema, type MislabelledPhoto, type MislabelledRanking, type OutOfFoldFile } from './mislabelled.js';
export { CaptureSettingsSchema, captureSettings, updateCaptureSettings, type CaptureSettings, type CaptureSettingsInput } from './settings.js';
export { captureIfUncertain, certaintyOf, isUncertain, applyRetention, type Certainty, type CaptureOutcome } from './capture.js';
export { reviewQueue, answerReview, type ReviewAnswer } from './queue.js';
export { compareVersions, type VersionComparison, type ChangedPhoto, type LabelDelta } from './compare.js';
export { detectWithCapture, type ServedPrediction } from './served.js';
