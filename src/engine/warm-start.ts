// A warm start from an earlier fast version: its trained blocks (upper.f32: each member's body weights in
// order) and its head, rows mapped onto this run's labels (a new label's row starts at zero). Member m
// starts from the earlier member m mod M_old; its head rows are the earlier head's block for that member,
// scaled back (the stacked head divides each block by sqrt(M_old)), with the earlier mean bias.
import { SkulensError } from '../errors.js';

export interface WarmStart {
  /** upper.f32 of the earlier version. */
  upper: Float32Array;
  /** Its stacked head: weights [K_old, M_old * dim] row-major, bias [K_old]. */
  weights: Float32Array;
  bias: Float32Array;
  /** For each label of this run, its row in the earlier head (-1: new). */
  rows: readonly number[];
}

/**
 * Member m's starting body weights and head (W before the sqrt(dim) scale, as the step graph holds it).
 *
 * @throws SkulensError ERR_ARGUMENT_INVALID when upper.f32 does not hold whole members of this body.
 */
export function warmMember(start: WarmStart, bodySizes: readonly number[], dim: number, m: number): { body: Float32Array[]; w: Float32Array; b: Float32Array } {
  const total = bodySizes.reduce((a, b) => a + b, 0);
  if (start.upper.length === 0 || start.upper.length % total !== 0) {
    throw new SkulensError('ERR_ARGUMENT_INVALID', { field: '--from', detail: `its upper.f32 holds ${start.upper.length} weights; the blocks above this cut have ${total} a member` });
  }
  const oldMembers = start.upper.length / total;
  const source = m % oldMembers;
  let offset = source * total;
  const body = bodySizes.map((n) => {
    const part = start.upper.slice(offset, offset + n);
    offset += n;
    return part;
  });
  const kOld = start.bias.length;
  const width = oldMembers * dim;
  const unscale = Math.sqrt(oldMembers) / Math.sqrt(dim);
  const K = start.rows.length;
  const w = new Float32Array(K * dim);
  const b = new Float32Array(K);
  start.rows.forEach((old, k) => {
    if (old < 0 || old >= kOld) return;
    for (let j = 0; j < dim; j++) w[k * dim + j] = start.weights[old * width + source * dim + j]! * unscale;
    b[k] = start.bias[old]!;
  });
  return { body, w, b };
}
