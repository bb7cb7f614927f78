// Builds the one S3 client skulens uses, from the environment: SKULENS_S3_ENDPOINT for any
// S3-compatible server (path-style addressing then), and the AWS SDK's standard credential variables.
import { S3Client } from '@aws-sdk/client-s3';

/** Settings read from the environment; exported for the docs and for tests. */
export interface S3Settings {
  endpoint: string | undefined;
  region: string;
  forcePathStyle: boolean;
}

/** Reads the S3 settings from `env` (SKULENS_S3_ENDPOINT, AWS_REGION / AWS_DEFAULT_REGION, SKULENS_S3_PATH_STYLE). */
export function s3SettingsFromEnv(env: NodeJS.ProcessEnv = process.env): S3Settings {
  const endpoint = env.SKULENS_S3_ENDPOINT?.trim() || undefined;
  return {
    endpoint,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    // S3-compatible servers (MinIO, Ceph, s3rver) rarely resolve virtual-host bucket names.
    forcePathStyle: env.SKULENS_S3_PATH_STYLE ? env.SKULENS_S3_PATH_STYLE !== 'false' : endpoint !== undefined,
  };
}

/** An S3Client for `settings`. Credentials: explicit AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, else the SDK's default chain. */
export function createS3Client(settings: S3Settings, env: NodeJS.ProcessEnv = process.env): S3Client {
  // The SDK warns on every process that Node 20 support ends in 2027; skulens supports Node 20, so the
  // warning would only clutter each command's stderr.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN }
      : undefined;
  return new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle,
    credentials,
    // Checksums only where S3 requires them: streamed uploads with CRC trailers are stored with their
    // chunk framing by some S3-compatible servers (s3rver among them).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
