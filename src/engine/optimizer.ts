// AdamW over Float32Arrays, as PyTorch's torch.optim.AdamW computes it (decoupled weight decay, bias
// correction), with a learning rate per group of weights, and the fast path's schedule: linear warm-up
// over the first 5% of steps (at most 100), then a cosine to zero.

export interface AdamWSettings {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay: number;
}

/** One trained tensor: its values (updated in place) and its group's base learning rate. */
export interface Param {
  values: Float32Array;
  lr: number;
}

export class AdamW {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private t = 0;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;

  constructor(
    private readonly params: readonly Param[],
    private readonly settings: AdamWSettings,
  ) {
    this.m = params.map((p) => new Float32Array(p.values.length));
    this.v = params.map((p) => new Float32Array(p.values.length));
    this.beta1 = settings.beta1 ?? 0.9;
    this.beta2 = settings.beta2 ?? 0.999;
    this.eps = settings.eps ?? 1e-8;
  }

  /** One update with `grads` (in the params' order); `scale` multiplies every group's learning rate (the schedule). */
  step(grads: readonly Float32Array[], scale: number): void {
    this.t += 1;
    const { beta1: b1, beta2: b2, eps } = this;
    const c1 = 1 - b1 ** this.t;
    const c2 = Math.sqrt(1 - b2 ** this.t);
    this.params.forEach((param, k) => {
      const lr = param.lr * scale;
      update(param.values, grads[k]!, this.m[k]!, this.v[k]!, b1, b2, eps, 1 - lr * this.settings.weightDecay, lr / c1, 1 / c2);
    });
  }
}

/** One tensor's update, alone in a function so that the engine compiles one tight loop for every tensor. */
function update(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, b1: number, b2: number, eps: number, decay: number, step: number, invC2: number): void {
  const a1 = 1 - b1;
  const a2 = 1 - b2;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]!;
    const mi = b1 * m[i]! + a1 * gi;
    const vi = b2 * v[i]! + a2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i]! * decay - (step * mi) / (Math.sqrt(vi) * invC2 + eps);
  }
}

/** Warm-up steps of a run of `total` steps. */
export function warmupSteps(total: number): number {
  return Math.max(1, Math.min(100, Math.floor(total / 20)));
}

/** The learning-rate factor at `step` (0-based) of `total`: linear warm-up, then a cosine to zero. */
export function schedule(step: number, total: number, warmup = warmupSteps(total)): number {
  if (step < warmup) return (step + 1) / warmup;
  const progress = Math.min(1, (step - warmup) / Math.max(1, total - warmup));
  return 0.5 * (1 + Math.cos(Math.PI * progress));
}
