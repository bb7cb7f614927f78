// The server-wide budget of dataset uploads in flight: bytes on disk (spooled bodies, parts, unpacked
// files until their import ends) and unpacked entries, shared with the unzip worker through a
// SharedArrayBuffer so that a worker and the event loop draw on one count. Each upload holds a lease that
// records what it drew and gives it all back once its files are gone. Unpacking runs one upload at a time
// (a single lane), so that on a small machine it never takes both cores from the detects.
import { SkulensError } from '../../errors.js';

/** Defaults: room for one full-size upload (1 GB body, 2 GB unpacked) and a second smaller one. */
export const UPLOAD_BUDGET_DEFAULTS = Object.freeze({ maxBytesInFlight: 4 * 1024 ** 3, maxEntriesInFlight: 500_000, maxWaiting: 8, maxEntriesPerUpload: 250_000 });

export interface UploadBudgetOptions {
  /** Bytes of uploads on disk at once, server-wide. */
  maxBytesInFlight?: number;
  /** Unpacked files of uploads at once, server-wide. */
  maxEntriesInFlight?: number;
  /** Uploads waiting for the unpack lane; one more is refused. */
  maxWaiting?: number;
  /** Zip entries (and photos) one upload may hold: more is ERR_UPLOAD_TOO_MANY_ENTRIES (413). Default: a full dataset. */
  maxEntriesPerUpload?: number;
}

/** What a worker needs to draw on the same budget. */
export interface SharedBudget {
  buffer: SharedArrayBuffer;
  maxBytes: number;
  maxEntries: number;
}

const BYTES = 0;
const ENTRIES = 1;

/** Draws `bytes` and `entries` from a shared budget, or returns false (drawing nothing) when it would pass its limit. */
export function drawShared(shared: SharedBudget, bytes: number, entries: number): boolean {
  const counts = new BigInt64Array(shared.buffer);
  const b = Atomics.add(counts, BYTES, BigInt(bytes)) + BigInt(bytes);
  const e = Atomics.add(counts, ENTRIES, BigInt(entries)) + BigInt(entries);
  if (b <= BigInt(shared.maxBytes) && e <= BigInt(shared.maxEntries)) return true;
  Atomics.sub(counts, BYTES, BigInt(bytes));
  Atomics.sub(counts, ENTRIES, BigInt(entries));
  return false;
}

/** Gives back what {@link drawShared} drew. */
export function returnShared(shared: SharedBudget, bytes: number, entries: number): void {
  const counts = new BigInt64Array(shared.buffer);
  Atomics.sub(counts, BYTES, BigInt(bytes));
  Atomics.sub(counts, ENTRIES, BigInt(entries));
}

/** What one upload drew; `release` gives the rest back (idempotent). */
export class UploadLease {
  bytes = 0;
  entries = 0;
  private released = false;

  constructor(private readonly budget: UploadBudget) {}

  /** Draws more for this upload. @throws SkulensError ERR_UPLOAD_BUSY when the server has no room now. */
  draw(bytes: number, entries = 0): void {
    if (!drawShared(this.budget.shared, bytes, entries)) throw this.budget.busy();
    this.bytes += bytes;
    this.entries += entries;
  }

  /** Gives back part of what was drawn (a spooled body or a zip once deleted). */
  give(bytes: number, entries = 0): void {
    const b = Math.min(bytes, this.bytes);
    const e = Math.min(entries, this.entries);
    returnShared(this.budget.shared, b, e);
    this.bytes -= b;
    this.entries -= e;
  }

  /** Records what a worker drew on this upload's behalf. */
  drewInWorker(bytes: number, entries: number): void {
    this.bytes += bytes;
    this.entries += entries;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.give(this.bytes, this.entries);
  }
}

/** The budget of one server. */
export class UploadBudget {
  readonly shared: SharedBudget;
  private lane: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private readonly maxWaiting: number;
  readonly maxEntriesPerUpload: number;

  constructor(options: UploadBudgetOptions = {}) {
    const o = { ...UPLOAD_BUDGET_DEFAULTS, ...options };
    this.shared = { buffer: new SharedArrayBuffer(16), maxBytes: o.maxBytesInFlight, maxEntries: o.maxEntriesInFlight };
    this.maxWaiting = o.maxWaiting;
    this.maxEntriesPerUpload = o.maxEntriesPerUpload;
  }

  lease(): UploadLease {
    return new UploadLease(this);
  }

  /** Bytes and entries in flight now (for tests and the bench). */
  inFlight(): { bytes: number; entries: number } {
    const counts = new BigInt64Array(this.shared.buffer);
    return { bytes: Number(Atomics.load(counts, BYTES)), entries: Number(Atomics.load(counts, ENTRIES)) };
  }

  busy(detail = 'other uploads hold the room for uploads in flight'): SkulensError {
    const { bytes, entries } = this.inFlight();
    return new SkulensError('ERR_UPLOAD_BUSY', { detail: `${detail}: ${bytes} bytes and ${entries} files now, at most ${this.shared.maxBytes} and ${this.shared.maxEntries}`, seconds: 30 });
  }

  /** Runs `work` in the single unpack lane, after the uploads before it. @throws ERR_UPLOAD_BUSY when too many wait. */
  async inLane<T>(work: () => Promise<T>): Promise<T> {
    if (this.waiting >= this.maxWaiting) throw this.busy(`${this.waiting} uploads wait to be unpacked`);
    this.waiting += 1;
    const turn = this.lane.then(
      () => {
        this.waiting -= 1;
        return work();
      },
      () => {
        this.waiting -= 1;
        return work();
      },
    );
    this.lane = turn.catch(() => undefined);
    return turn;
  }
}
