// The HTTP server: Fastify with Rekognition-style operations as POST /v1/<Operation> and as POST /
// with X-Amz-Target (AWS SDKs), the multipart upload route, the OpenAPI document and a health check.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import path from 'node:path';
import { pino } from 'pino';
import { KeyStore } from '../../auth/index.js';
import { SkulensError } from '../../errors.js';
import { S3Store } from '../../storage/index.js';
import { guardResources, guardResourcesSync, sweepOrphanBlobs, type HomeLayout } from '../../home/index.js';
import { Registry } from '../../registry/index.js';
import { BackgroundWork } from '../background.js';
import { ImportRoots } from '../import-roots.js';
import { ModelHost } from '../model-host.js';
import { callerOf, operationOf, registerAuth, type DeclaredRoute } from './auth-hooks.js';
import { clientErrorHandler, errorHandler } from './errors.js';
import { pathRedactor } from './redact.js';
import { registerThrottle, type ThrottleOptions } from './throttle.js';
import { MAX_IMAGE_BYTES } from './image-input.js';
import { openApiDocument } from './openapi.js';
import type { ApiContext, Operation } from './operation.js';
import { datasetOperations } from './ops-datasets.js';
import { detectOperations } from './ops-detect.js';
import { genericOperations } from './ops-generic.js';
import { projectOperations } from './ops-projects.js';
import { versionOperations } from './ops-versions.js';
import { registerUpload, UPLOAD_PATH } from './upload.js';
import { BATCH_PATHS, registerBatches } from './batches.js';
import { BatchService } from '../../batch/index.js';
import { consoleOperations } from './ops-console.js';
import { CONSOLE_PATHS, registerConsole } from './console.js';
import { IMPORT_UPLOAD_PATH, registerImportUpload } from './import-upload.js';
import { UploadBudget, type UploadBudgetOptions } from './upload-budget.js';
import { GenericLabeller } from '../../generic/index.js';
import { versionReportOperations } from './ops-version-report.js';
import { EXPORT_DOWNLOAD_PATH, registerExportDownload } from './export-download.js';
import { REVIEW_PATHS, registerReview, reviewOperations } from './ops-review.js';

/** Every JSON operation, by Rekognition name. */
export const OPERATIONS: Readonly<Record<string, Operation>> = Object.freeze({
  ...projectOperations,
  ...datasetOperations,
  ...versionOperations,
  ...detectOperations,
  ...genericOperations,
  ...consoleOperations,
  ...versionReportOperations,
  ...reviewOperations,
});

const API_VERSION = '0.1.0';
/** How often the server follows the desired version states that `skulens versions start|stop` write. */
const RECONCILE_MS = 1000;
/** Room for a 4 MB image in base64 (5.6 MB) plus JSON. */
const BODY_LIMIT = 6 * 1024 * 1024;
const SILENT: FastifyBaseLogger = pino({ level: 'silent' });
const JSON_TYPES = ['application/json', 'application/x-amz-json-1.1', 'application/x-amz-json-1.0'];

export interface ServerOptions {
  home: HomeLayout;
  /** An open registry of `home`; opened (and closed with the server) when absent. */
  registry?: Registry;
  /** A pino logger; none (silent) when absent. */
  logger?: FastifyBaseLogger;
  /** Embedding worker threads per started backbone. */
  workers?: number;
  /** Environment for S3 settings (SKULENS_S3_ENDPOINT, AWS_*) and job children; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Folders requests may name as sources (CreateDataset, batches); none by default. */
  importRoots?: readonly string[];
  /** Failed sign-in and per-key request limits. */
  throttle?: ThrottleOptions;
  /** A Redis URL: batches run as chunks on `skulens worker` processes (BullMQ); in-process when absent. */
  redis?: string;
  /** Server-wide room for dataset uploads in flight (bytes on disk, unpacked files); defaults in upload-budget.ts. */
  uploads?: UploadBudgetOptions;
  /** PEM certificate and key: serve HTTPS. */
  tls?: { cert: Buffer | string; key: Buffer | string };
}

/** A built server: listen on loopback with `listen()`, stop with `close()`. */
export interface SkulensServer {
  readonly app: FastifyInstance;
  readonly host: ModelHost;
  readonly work: BackgroundWork;
  readonly keys: KeyStore;
  readonly registry: Registry;
  /** The real import roots requests may name. */
  readonly roots: ImportRoots;
  /** The server-wide budget of dataset uploads in flight. */
  readonly uploads: Pick<UploadBudget, 'inFlight'>;
  /** Every route with the role it declares (JSON operations: `operation`, their rows in OPERATIONS declare theirs). */
  readonly routes: readonly DeclaredRoute[];
  /** Starts listening; resolves with the base URL. Loopback (127.0.0.1) unless a host is given. */
  listen(options?: { host?: string; port?: number }): Promise<string>;
  close(): Promise<void>;
}

/** Builds the server for one home (one server per home: version statuses live in its database). */
export async function createServer(options: ServerOptions): Promise<SkulensServer> {
  const ownsRegistry = options.registry === undefined;
  const roots = await ImportRoots.of(options.importRoots);
  // A read-only or full home is said at once, naming the home: never an SQLite error with a stack.
  const registry = options.registry ?? guardResourcesSync('starting the server', options.home, () => Registry.open(options.home.database));
  // Blobs an interrupted import wrote without their rows (killed, or out of disk) go now.
  await guardResources('starting the server', options.home, () => sweepOrphanBlobs(options.home, (blob) => registry.entries.blobInUse(blob))).catch((error: unknown) => {
    if (ownsRegistry) registry.close();
    throw error;
  });
  const app = Fastify({
    loggerInstance: options.logger ?? SILENT,
    bodyLimit: BODY_LIMIT,
    requestIdHeader: false,
    genReqId: () => crypto.randomUUID(),
    clientErrorHandler,
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}),
  }) as unknown as FastifyInstance;
  const log = app.log;
  const keys = new KeyStore(registry, options.home);
  const host = new ModelHost(registry, options.home, { workers: options.workers, onError: (v, err) => log.error({ version: v.name, err }, 'start failed') });
  // Versions wanted running when the last server went down start loading again, with no call needed.
  const resumed = guardResourcesSync('starting the server', options.home, () => host.recover());
  if (resumed.length > 0) log.info({ versions: resumed.map((v) => `${v.project}/${v.name}`) }, 'starting the versions that were running');
  const reconciling = setInterval(() => {
    try {
      host.reconcile();
    } catch (error) {
      log.error({ err: error }, 'following the desired version states failed');
    }
  }, RECONCILE_MS);
  reconciling.unref();
  const env = options.env ?? process.env;
  // S3 images and sources only where the environment names a store; otherwise say so at once.
  const s3Configured = Boolean(env.SKULENS_S3_ENDPOINT || env.AWS_ACCESS_KEY_ID);
  const work = new BackgroundWork(registry, options.home, log, { env, s3: s3Configured });
  // One S3 store for the whole server, built from its environment on first use.
  let store: S3Store | undefined;
  const s3 = s3Configured ? (): S3Store => (store ??= S3Store.fromEnv(options.home, env)) : undefined;
  const ctx: ApiContext = {
    shown: pathRedactor({ home: options.home.root, uploads: path.join(options.home.tmp, 'uploads'), roots: roots.roots }),
    registry,
    home: options.home,
    host,
    work,
    roots,
    importsS3: s3Configured,
    readS3: s3 ? (bucket, key) => s3().download({ bucket, key }, { maxBytes: MAX_IMAGE_BYTES }) : undefined,
    // Loaded on the first DetectLabels / DetectModerationLabels call; a failed load is retried next time.
    genericLabels: () =>
      (generic ??= GenericLabeller.open({ modelsDir: options.home.models }).catch((error: unknown) => {
        generic = undefined;
        throw error;
      })),
  };
  let generic: Promise<GenericLabeller> | undefined;
  const batches = new BatchService(registry, options.home, { workers: options.workers, s3, redis: options.redis });

  app.setErrorHandler(errorHandler(ctx.shown, options.home));
  app.setNotFoundHandler((request) => {
    throw new SkulensError('ERR_OPERATION_UNKNOWN', { operation: `${request.method} ${request.url}`, known: 'POST /v1/<Operation>, POST / with X-Amz-Target, POST /v1/detect, GET /v1/openapi.json, GET /health' });
  });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'string' }, (request, body, done) => {
    const text = String(body).trim();
    try {
      done(null, text === '' ? {} : JSON.parse(text));
    } catch (error) {
      done(new SkulensError('ERR_REQUEST_INVALID', { operation: request.url, detail: `the body is not valid JSON (${(error as Error).message})` }), undefined);
    }
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-amzn-requestid', request.id);
    // Answered before its body was read (refused from the headers, or over a limit): the rest of the body
    // is not worth reading, so the connection closes after the answer.
    if (!request.raw.complete) reply.header('connection', 'close');
  });
  const throttle = await registerThrottle(app, options.throttle);
  const uploads = new UploadBudget(options.uploads);
  const routes = registerAuth(app, { keys, throttle, operationRole: (name) => (Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name]!.role : undefined), operationNames: Object.keys(OPERATIONS) });

  // The auth hooks have proven the caller, decoded the operation's name and checked its role by now.
  const run = async (request: FastifyRequest, reply: FastifyReply): Promise<string> => {
    const name = operationOf(request);
    const result = await OPERATIONS[name]!.run(ctx, request.body, name, callerOf(request));
    reply.header('content-type', request.headers['x-amz-target'] ? 'application/x-amz-json-1.1' : 'application/json; charset=utf-8');
    return JSON.stringify(result);
  };

  // Backbones by id only: a weights file's path is the server's business.
  app.get('/health', { config: { role: 'public' } }, async () => ({ status: 'ok', backbones: host.backbones().map((b) => ({ ...b, backbone: b.backbone.split('@')[0]! })) }));
  const document = openApiDocument(OPERATIONS, API_VERSION, { ...UPLOAD_PATH, ...BATCH_PATHS, ...IMPORT_UPLOAD_PATH, ...CONSOLE_PATHS, ...EXPORT_DOWNLOAD_PATH, ...REVIEW_PATHS });
  // The document holds no data (schemas and summaries only), so a client generator needs no key to read it.
  app.get('/v1/openapi.json', { config: { role: 'public' } }, async () => document);
  app.post('/v1/:operation', { config: { role: 'operation' } }, run);
  app.post('/', { config: { role: 'operation' } }, run);
  await registerUpload(app, ctx);
  registerBatches(app, batches, ctx, ctx.shown);
  await registerImportUpload(app, ctx, uploads);
  registerReview(app, ctx);
  registerConsole(app, ctx);
  registerExportDownload(app, ctx);

  let closed = false;
  return {
    app,
    host,
    work,
    keys,
    registry,
    roots,
    routes,
    uploads,
    async listen({ host: address = '127.0.0.1', port = 8080 } = {}) {
      return app.listen({ host: address, port });
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(reconciling);
      await app.close();
      await work.close();
      await batches.close();
      // On a full or read-only home the STOPPED rows may not be written: the next start marks them (host.recover).
      await host.close().catch((error: unknown) => log.error({ err: error }, 'stopping the started versions failed'));
      await (await generic?.catch(() => undefined))?.close();
      store?.destroy();
      if (ownsRegistry) registry.close();
    },
  };
}
