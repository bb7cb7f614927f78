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
  ERR_PATH_NOT_FOUND: { message: 'No such file or folder: {path}', status: 404, awsType: 'ResourceNotFoundException' },
  ERR_PATH_ESCAPES_ROOT: { message: 'Path {path} escapes its root {root}; refusing it', status: 400, awsType: 'InvalidParameterException' },
  ERR_PROJECT_NOT_FOUND: { message: 'Project "{project}" does not exist. Create it with `skulens projects create {project}`', status: 404, awsType: 'ResourceNotFoundException' },
  ERR_PROJECT_EXISTS: { message: 'Project "{project}" already exists', status: 409, awsType: 'ResourceAlreadyExistsException' },
  ERR_PROJECT_NAME_INVALID: { message: 'Project name "{project}" is invalid: use 1-64 letters, digits, "-", "_" or "."', status: 400, awsType: 'InvalidParameterException' },
  ERR_DATASET_EMPTY: { message: 'Project "{project}" has no usable images{detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_DATASET_LAYOUT_INVALID: { message: 'Dataset folder {path} is not a folder per label: {detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_DATASET_TOO_FEW_LABELS: { message: 'Training needs at least 2 labels with images in both train and test; {detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_DATASET_TOO_MANY_LABELS: { message: 'A dataset holds at most {max} labels; {path} has {count}', status: 400, awsType: 'LimitExceededException' },
  ERR_LABEL_INVALID: { message: 'Label "{label}" is invalid: {detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_IMAGE_UNREADABLE: { message: 'Cannot read image {file}: {detail}', status: 400, awsType: 'InvalidImageFormatException' },
  ERR_IMAGE_FORMAT_UNSUPPORTED: { message: 'Image {file} is {format}; supported formats are JPEG, PNG and WebP', status: 400, awsType: 'InvalidImageFormatException' },
  ERR_IMAGE_TOO_SMALL: { message: 'Image {file} is {width}x{height} px; each side must be at least {min} px', status: 400, awsType: 'InvalidParameterException' },
  ERR_IMAGE_TOO_LARGE: { message: 'Image {file} is too large: {detail}', status: 400, awsType: 'ImageTooLargeException' },
  ERR_BACKBONE_UNKNOWN: { message: 'Unknown backbone "{backbone}". Should be one of: {known}', status: 400, awsType: 'InvalidParameterException' },
  ERR_BACKBONE_MISSING: { message: 'Weights of backbone "{backbone}" are not at {path}. {hint}', status: 404, awsType: 'ResourceNotFoundException' },
  ERR_BACKBONE_CHECKSUM: { message: 'Backbone "{backbone}" file {path} has sha256 {actual}, expected {expected}', status: 500, awsType: 'InternalServerError' },
  ERR_BACKBONE_DOWNLOAD: { message: 'Could not download backbone "{backbone}" from {url}: {detail}', status: 502, awsType: 'InternalServerError' },
  ERR_BACKBONE_RUNTIME: { message: 'Backbone "{backbone}" failed: {detail}', status: 500, awsType: 'InternalServerError' },
  ERR_TRAINING_INVALID: { message: 'Cannot train: {detail}', status: 400, awsType: 'InvalidParameterException' },
  ERR_TRAINING_CANCELLED: { message: 'Training of {version} was cancelled; nothing was written', status: 409, awsType: 'ResourceInUseException' },
  ERR_VERSION_NOT_FOUND: { message: 'Model version "{version}" does not exist. List versions with `skulens versions list <project>`', status: 404, awsType: 'ResourceNotFoundException' },
  ERR_VERSION_NOT_READY: { message: 'Model version "{version}" is {status}, not {wanted}', status: 400, awsType: 'ResourceNotReadyException' },
  ERR_VERSION_ID_INVALID: { message: 'Version id "{version}" is invalid: expected <project>/v<N> or a ProjectVersionArn', status: 400, awsType: 'InvalidParameterException' },
  ERR_ARTEFACT_CORRUPT: { message: 'Artefact {path} is corrupt: {detail}', status: 500, awsType: 'InternalServerError' },
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
