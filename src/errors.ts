// The one catalogue of skulens errors: every error thrown on purpose has a stable code from this table,
// a message template, an HTTP status and the Rekognition `__type` it maps to (docs/errors.md lists them).

export type AwsErrorType =
  | 'InvalidParameterException'
  | 'ResourceNotFoundException'
  | 'ResourceInUseException'
  | 'ResourceNotReadyException'
  | 'ResourceAlreadyExistsException'
  | 'ImageTooLargeException'
  | 'InvalidImageFormatException'
  | 'LimitExceededException'
  | 'AccessDeniedException'
  | 'ThrottlingException'
  | 'ProvisionedThroughputExceededException'
  | 'InternalServerError';

interface ErrorDefinition {
  /** Message template; `{name}` is replaced by the matching detail. */
  readonly message: string;
  readonly status: number;
  readonly awsType: AwsErrorType;
}

/** Frozen table of every error code. Add a row here (and in docs/errors.md) before throwing a new code. */
export const ERRORS = Object.freeze({
  ERR_CONFIG_INVALID: { message: 'Invalid configuration: {detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_ARGUMENT_INVALID: { message: 'Invalid value for {field}: {detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_CLI_USAGE: { message: '{detail}. See `{command} --help`', status: 400, awsType: 'InvalidParameterException' },
  ERR_NOT_CONFIRMED: { message: '{what} was not deleted: {detail}. Pass --yes to delete without asking', status: 400, awsType: 'InvalidParameterException' },
  ERR_PATH_NOT_FOUND: { message: 'No such file or folder: {path}', status: 404, awsType: 'ResourceNotFoundException' },
  ERR_PROJECT_NOT_FOUND: { message: 'Project "{project}" does not exist. Create it with `skulens projects create {project}`', status: 404, awsType: 'ResourceNotFoundException' },
  ERR_PROJECT_EXISTS: { message: 'Project "{project}" already exists', status: 409, awsType: 'ResourceAlreadyExistsException' },
  ERR_PROJECT_NAME_INVALID: { message: 'Project name "{project}" is invalid: use 1-64 letters, digits, "-", "_" or "."', status: 400, awsType: 'InvalidParameterException' },
  ERR_DATASET_EMPTY: { message: 'Project "{project}" has no usable images{detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_IMPORT_NOTHING: { message: 'Nothing was imported from {source}: {detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_DATASET_LAYOUT_INVALID: { message: 'Dataset folder {path} is not a folder per label: {detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_DATASET_TOO_FEW_LABELS: { message: 'Training needs at least 2 labels with training images and a test image of one of them; {detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_DATASET_TOO_MANY_LABELS: { message: 'A dataset holds at most {max} labels; {path} has {count}', status: 400, awsType: 'LimitExceededException' },
  ERR_LABEL_INVALID: { message: 'Label "{label}" is invalid: {detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_IMAGE_UNREADABLE: { message: 'Cannot read image {file}: {detail}', status: 400, awsType: 'InvalidImageFormatException' },
  ERR_IMAGE_FORMAT_UNSUPPORTED: { message: 'Image {file} is {format}; supported formats are JPEG, PNG, WebP, AVIF, TIFF and GIF', status: 400, awsType: 'InvalidImageFormatException' },
  ERR_OPTIONAL_PACKAGE_MISSING: { message: '{feature} needs the optional npm packages {packages}, which are not installed; in skulens\'s folder run `{command}`', status: 501, awsType: 'InternalServerError' },
  ERR_IMAGE_HEIC: { message: 'Image {file} is HEIC, which this build of sharp cannot decode; convert it to JPEG first (`heif-convert photo.heic photo.jpg` from Debian\'s libheif-examples, or `sips -s format jpeg photo.heic --out photo.jpg` on a Mac)', status: 400, awsType: 'InvalidImageFormatException' },
  ERR_IMAGE_TOO_SMALL: { message: 'Image {file} is {width}x{height} px; each side must be at least {min} px', status: 400, awsType: 'InvalidParameterException' },
  ERR_IMAGE_TOO_LARGE: { message: 'Image {file} is too large: {detail}', status: 400, awsType: 'ImageTooLargeException' },
  ERR_IMAGE_TRUNCATED: { message: 'Image {file} is truncated: {detail}. Copy it again from the original', status: 400, awsType: 'InvalidImageFormatException' },
  ERR_IMAGE_ANIMATED: { message: 'Image {file} is animated ({frames} frames); use a still image (JPEG, PNG, WebP, AVIF, TIFF or GIF)', status: 400, awsType: 'InvalidImageFormatException' },
  ERR_DATASET_FORMAT_UNKNOWN: { message: 'Cannot tell the dataset format of {source}: {detail}. Pass --format folder, csv or manifest', status: 400, awsType: 'InvalidParameterException' },
  ERR_DATASET_CSV_INVALID: { message: 'CSV {file} line {line}: {detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_DATASET_MANIFEST_INVALID: { message: 'Manifest {file} line {line}: {detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_DATASET_PATH_ESCAPES: { message: '{file} line {line}: path "{path}" escapes the dataset root {root}; use a relative path that stays inside it', status: 400, awsType: 'InvalidParameterException' },
  ERR_S3_URI_INVALID: { message: 'S3 URI "{uri}" is invalid: {detail}; expected s3://bucket/key or s3://bucket/prefix/', status: 400, awsType: 'InvalidParameterException' },
  ERR_S3_NOT_FOUND: { message: 'Nothing at {uri} in S3: {detail}', status: 404, awsType: 'ResourceNotFoundException' },
  ERR_S3_REQUEST_FAILED: { message: 'S3 {operation} of {uri} failed: {detail}', status: 502, awsType: 'InternalServerError' },
  ERR_S3_OBJECT_TOO_LARGE: { message: 'S3 object {uri} is {bytes} bytes; the limit is {max}', status: 400, awsType: 'ImageTooLargeException' },
  ERR_BACKBONE_UNKNOWN: { message: 'Unknown backbone "{backbone}". Should be one of: {known}', status: 400, awsType: 'InvalidParameterException' },
  ERR_BACKBONE_MISSING: { message: 'Weights of backbone "{backbone}" are not at {path}. {hint}', status: 404, awsType: 'ResourceNotFoundException' },
  ERR_BACKBONE_CHECKSUM: { message: 'Backbone "{backbone}" file {path} has sha256 {actual}, expected {expected}', status: 500, awsType: 'InternalServerError' },
  ERR_BACKBONE_DOWNLOAD: { message: 'Could not download backbone "{backbone}" from {url}: {detail}', status: 502, awsType: 'InternalServerError' },
  ERR_BACKBONE_RUNTIME: { message: 'Backbone "{backbone}" failed: {detail}', status: 500, awsType: 'InternalServerError' },
  ERR_BACKBONE_CONVERSION: { message: 'Backbone "{backbone}": cannot convert {path} to ONNX: {detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_TRAINING_INVALID: { message: 'Cannot train: {detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_TRAINING_CANCELLED: { message: 'Training of {version} was cancelled; nothing was written', status: 409, awsType: 'ResourceInUseException' },
  ERR_VERSION_NOT_FOUND: { message: 'Model version "{version}" does not exist. List versions with `skulens versions list <project>`', status: 404, awsType: 'ResourceNotFoundException' },
  ERR_VERSION_NOT_READY: { message: 'Model version "{version}" is {status}, not {wanted}', status: 400, awsType: 'ResourceNotReadyException' },
  ERR_VERSION_ID_INVALID: { message: 'Version id "{version}" is invalid: expected <project>/<version name> (shoes/v3) or a ProjectVersionArn', status: 400, awsType: 'InvalidParameterException' },
  ERR_VERSION_NAME_INVALID: { message: 'Version name "{name}" is invalid: {detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_VERSION_NAME_EXISTS: { message: 'Project "{project}" already has a version named "{name}"; choose another VersionName or delete that version', status: 400, awsType: 'ResourceInUseException' },
  ERR_ARTEFACT_CORRUPT: { message: 'Artefact {path} is corrupt: {detail}', status: 500, awsType: 'InternalServerError' },
  ERR_BATCH_NOT_FOUND: { message: 'Batch "{batch}" does not exist. List batches with GET /v1/batches', status: 404, awsType: 'ResourceNotFoundException' },
  ERR_EXPORT_UNSUPPORTED: { message: 'Cannot export {version}: {detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_AUTH_MISSING: { message: 'Missing credentials: sign the request with AWS Signature Version 4 or send "Authorization: Bearer <key id>:<secret>" (create a key with `skulens keys create`)', status: 403, awsType: 'AccessDeniedException' },
  ERR_AUTH_INVALID: { message: 'Access denied: {detail}', status: 403, awsType: 'AccessDeniedException' },
  ERR_AUTH_EXPIRED: { message: 'Access denied: the request was signed at {signedAt}, more than {skewMinutes} minutes from the server time {serverTime}; check the client clock', status: 403, awsType: 'AccessDeniedException' },
  ERR_API_KEY_NOT_FOUND: { message: 'API key "{key}" does not exist. List keys with `skulens keys list`', status: 404, awsType: 'ResourceNotFoundException' },
  ERR_MASTER_KEY_INVALID: { message: 'The key-encryption file {path} is unusable: {detail}', status: 500, awsType: 'InternalServerError' },
  ERR_OPERATION_UNKNOWN: { message: 'Unknown operation "{operation}". Should be one of: {known}', status: 400, awsType: 'InvalidParameterException' },
  ERR_REQUEST_INVALID: { message: 'Invalid request to {operation}: {detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_VERSION_IN_USE: { message: 'Model version "{version}" is {status}: {detail}', status: 409, awsType: 'ResourceInUseException' },
  ERR_PROJECT_IN_USE: { message: 'Project "{project}" is in use: {detail}', status: 409, awsType: 'ResourceInUseException' },
  ERR_DATASET_NOT_FOUND: { message: 'Dataset {dataset} does not exist. Create it with CreateDataset', status: 404, awsType: 'ResourceNotFoundException' },
  ERR_S3_NOT_CONFIGURED: { message: 'S3 sources are not available here: {detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_FINETUNE_ENGINE_MISSING: { message: 'Fine-tuning needs PyTorch and onnx in a python, and none was found ({detail}). {hint}', status: 400, awsType: 'InvalidParameterException' },
  ERR_FINETUNE_BACKBONE_UNSUPPORTED: { message: 'Backbone "{backbone}" cannot be fine-tuned: {detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_FINETUNE_FAILED: { message: 'Fine-tuning failed: {detail}', status: 500, awsType: 'InternalServerError' },
  ERR_FINETUNE_EXPORT_MISMATCH: { message: 'The exported ONNX backbone differs from PyTorch by {diff} on {what} (tolerance {tolerance}); nothing was kept', status: 500, awsType: 'InternalServerError' },
  ERR_AUTODIFF_OP_UNSUPPORTED: { message: 'The training engine cannot differentiate {op} (node {node}): {detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_ROLE_REQUIRED: { message: 'Access denied: {operation} needs a key with role {role} or above; this key has role {current}. Create one with `skulens keys create --role {role}`', status: 403, awsType: 'AccessDeniedException' },
  ERR_ROLE_INVALID: { message: 'Role "{role}" is invalid. Should be one of: admin, train, detect', status: 400, awsType: 'InvalidParameterException' },
  ERR_AUTH_THROTTLED: { message: 'Too many failed sign-ins from {who}; try again in {seconds} s', status: 429, awsType: 'ThrottlingException' },
  ERR_RATE_EXCEEDED: { message: 'Key {key} sent more than {max} requests in {window}; slow down and retry in {seconds} s', status: 429, awsType: 'ProvisionedThroughputExceededException' },
  ERR_PATH_NOT_ALLOWED: { message: 'Path "{path}" is not available to this server: it does not exist or lies outside its import roots (an operator names them with `skulens serve --import-root DIR`); use an s3:// source or an upload otherwise', status: 403, awsType: 'AccessDeniedException' },
  ERR_WALK_LIMIT: { message: 'Listing {path} stopped: {detail}', status: 400, awsType: 'LimitExceededException' },
  ERR_WALK_CANCELLED: { message: 'Listing {path} was cancelled', status: 409, awsType: 'ResourceInUseException' },
  ERR_DISK_FULL: { message: 'No space left on the disk of the skulens home while {operation}; free some space and retry (nothing stored earlier was lost)', status: 507, awsType: 'LimitExceededException' },
  ERR_HOME_READ_ONLY: { message: 'The skulens home is read-only, so {operation} cannot write; make {path} writable for the server user', status: 503, awsType: 'InternalServerError' },
  ERR_REQUEST_TOO_LARGE: { message: 'The request to {operation} is too large: {detail}', status: 413, awsType: 'LimitExceededException' },
  ERR_HEADERS_TOO_LARGE: { message: 'The request headers are too large (at most {max} bytes in all); send shorter headers', status: 431, awsType: 'InvalidParameterException' },
  ERR_MULTIPART_INVALID: { message: 'The multipart upload to {operation} is unusable: {detail}; send the whole form again', status: 400, awsType: 'InvalidParameterException' },
  ERR_JOB_CHILD_FAILED: { message: 'The background process of {job} ended without a result: {detail}', status: 500, awsType: 'InternalServerError' },
  ERR_INTERNAL: { message: 'Internal server error (request {requestId}); the server log has the details', status: 500, awsType: 'InternalServerError' },
  ERR_QUEUE_UNAVAILABLE: { message: 'The job queue at {redis} cannot be used: {detail}', status: 503, awsType: 'InternalServerError' },
  ERR_BATCH_CHUNK_FAILED: { message: 'Batch {batch}: chunk {chunk} failed after {attempts} attempt(s): {detail}', status: 500, awsType: 'InternalServerError' },
  ERR_BATCH_NOT_RUNNING: { message: 'Batch {batch} is {status}; only an IN_PROGRESS batch can be stopped', status: 409, awsType: 'ResourceInUseException' },
  ERR_LABEL_GROUP_INVALID: { message: 'Label "{label}" does not fit a groups project: {detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_TAXONOMY_INVALID: { message: 'The taxonomy {source} is unusable: {detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_LABEL_TYPE_UNSUPPORTED: { message: '{operation} does not support {labelType} projects ("{project}"): {detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_ENTRY_NOT_FOUND: { message: 'Dataset entry {entry} does not exist in this project. List entries with `skulens datasets check` or ListDatasetImages', status: 404, awsType: 'ResourceNotFoundException' },
  ERR_REVIEW_ITEM_NOT_FOUND: { message: 'Review item {item} does not exist in this project. List the queue with `skulens review list <project>`', status: 404, awsType: 'ResourceNotFoundException' },
  ERR_REVIEW_NO_RANKING: { message: 'Project "{project}" has no ranking of likely mislabelled photos: {detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_VERSIONS_NOT_COMPARABLE: { message: 'Versions {a} and {b} cannot be compared: {detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_UPLOAD_TOO_MANY_ENTRIES: { message: 'The upload to {operation} holds {count} zip entries; one upload may hold at most {max}. Split it into several uploads', status: 413, awsType: 'LimitExceededException' },
  ERR_UPLOAD_BUSY: { message: 'The server has no room for another upload now ({detail}); retry in {seconds} s', status: 429, awsType: 'ThrottlingException' },
  ERR_PATH_CHANGED: { message: '{path} changed after it was checked (it is no longer the regular file or folder inside the import root that was checked); nothing of it was read', status: 403, awsType: 'AccessDeniedException' },
} satisfies Record<string, ErrorDefinition>);

export type ErrorCode = keyof typeof ERRORS;

/**
 * The only error class skulens throws on purpose.
 *
 * @example
 * throw new SkulensError('ERR_PROJECT_NOT_FOUND', { project: 'shoes' });
 */
export class SkulensError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly awsType: AwsErrorType;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    const definition: ErrorDefinition = ERRORS[code];
    super(formatMessage(definition.message, details), options);
    this.name = 'SkulensError';
    this.code = code;
    this.status = definition.status;
    this.awsType = definition.awsType;
    this.details = Object.freeze({ ...details });
  }
}

function formatMessage(template: string, details: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in details ? String(details[name]) : whole === '{detail}' ? '' : whole));
}

/** True when `error` is a SkulensError, optionally of one code. */
export function isSkulensError(error: unknown, code?: ErrorCode): error is SkulensError {
  return error instanceof SkulensError && (code === undefined || error.code === code);
}

/** A short human reason for any thrown value, used for one-line reports. */
export function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
