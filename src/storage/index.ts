// Public face of storage: the one module that owns S3 (client from the environment, listing,
// downloads cached by ETag, uploads). Other domains ask it; none imports the AWS SDK.
export { S3Store, type S3Object, type S3StoreOptions } from './object-store.js';
export { createS3Client, s3SettingsFromEnv, type S3Settings } from './client.js';
export { parseS3Uri, formatS3Uri, isS3Uri, keyFolder, resolveKeyInside, type S3Location } from './s3-uri.js';
export { Limiter } from './limiter.js';
