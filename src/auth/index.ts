// Public face of auth: API keys (create, list, delete, check), the master key that seals their
// secrets, and AWS Signature Version 4 verification. The HTTP server asks this module who is calling.
export { KeyStore, type CreatedKey, type KeySummary } from './keys.js';
export { loadMasterKey, masterKeyPath } from './master-key.js';
export { isSigV4, parseSigV4, checkSigV4Time, verifySigV4, sigV4Signature, MAX_SKEW_MINUTES, SIGNATURE_MISMATCH, type SignedRequest, type SigV4Authorization } from './sigv4.js';
export { authenticateHeaders, claimedKeyId, type Caller, type PendingSignature } from './authenticate.js';
export { ROLES, DEFAULT_ROLE, RoleSchema, parseRole, roleAllows, requireRole, type KeyRole, type RouteRole } from './roles.js';
