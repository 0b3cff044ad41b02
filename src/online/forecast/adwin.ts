/**
 * ADWIN (adaptive windowing): keeps a window of recent values whose mean has not changed,
 * and reports a drift when it has to drop old values.
 *
 * @module
 */
import { badState, checkInt, checkRange, isNumbers } from "./_checks.ts";

/** Options for {@linkcode Adwin}. */
export interface AdwinOptions {
  /** The significance δ of the test, in (0, 1) (smaller reports fewer, surer drifts). @default {0.002} */
  delta?: number;
  /** Test for a change every `clock` values. @default {32} */
  clock?: number;
  /** Buckets of one size kept before the two oldest merge (the memory/precision trade-off). @default {5} */
  maxBuckets?: number;
  /** Both sub-windows of a split must hold at least this many values. @default {5} */
  minWindowLength?: number;
  /** Values seen before the first test. @default {10} */
  gracePeriod?: number;
}

/** Plain-data state of an {@linkcode Adwin} detector (JSON-safe). */
export interface AdwinState {
  /** The settings. */
  options: Required<AdwinOptions>;
  /** Per bucket, oldest first: `[count, sum, M2]` flattened. */
  buckets: number[];
  /** Values seen since the start. */
  seen: number;
  /** Drifts reported since the start. */
  drifts: number;
}

/**
 * ADWIN2 (Bifet and Gavaldà, 2007) with River's parameters and defaults. The window is
 * an exponential histogram: buckets of 1, 2, 4, … values (at most `maxBuckets` of each
 * size; the two oldest of a size merge), each keeping count, sum and M2. Every `clock`
 * values, each split of the window into an older W₀ and a newer W₁ (bucket boundaries,
 * both ≥ `minWindowLength`) is tested: with `m = 1/(1/n₀ + 1/n₁)`, `σ²` the window's
 * variance and `d = ln(2·ln(n)/δ)`, a change is declared when
 * `|μ₀ − μ₁| > √(2σ²d/m) + 2d/(3m)`; the oldest bucket is then dropped and the test
 * repeated. A value that is not finite is ignored.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { Adwin } from "./adwin.ts";
 * const adwin = new Adwin({ clock: 1 });
 * let at = -1;
 * for (let t = 0; t < 400; t++) if (adwin.update(t < 200 ? t % 2 : 5 + (t % 2)) && at < 0) at = t;
 * assert(at >= 200 && at < 215 && adwin.drifts >= 1 && Math.abs(adwin.mean - 5.5) < 0.2);
 * ```
 */
export class Adwin {
  readonly #options: Required<AdwinOptions>;
  #ns: number[] = [];
  #sums: number[] = [];
  #m2s: number[] = [];
  #n = 0;
  #mean = 0;
  #m2 = 0;
  #seen = 0;
  #drifts = 0;

  /**
   * Creates a detector with an empty window.
   *
   * @param options Significance, clock, bucket count, minimum sub-window and grace period.
   * @throws {RangeError} When an option is out of range.
   */
  constructor(options: AdwinOptions = {}) {
    const { delta = 0.002, clock = 32, maxBuckets = 5, minWindowLength = 5, gracePeriod = 10 } = options;
    checkRange("Adwin", "delta", delta, 0, 1, true, true);
    checkInt("Adwin", "clock", clock, 1);
    checkInt("Adwin", "maxBuckets", maxBuckets, 2);
    checkInt("Adwin", "minWindowLength", minWindowLength, 1);
    checkInt("Adwin", "gracePeriod", gracePeriod, 0);
    this.#options = { delta, clock, maxBuckets, minWindowLength, gracePeriod };
  }

  /**
   * Creates a detector from a saved state.
   *
   * @param state A state from {@linkcode Adwin.toState}.
   * @returns A detector that continues exactly where the saved one was.
   * @throws {TypeError} When the state is malformed.
   */
  static fromState(state: AdwinState): Adwin {
    let a: Adwin;
    try {
      a = new Adwin(state.options);
    } catch {
      return badState("Adwin", state);
    }
    const ok = isNumbers(state.buckets) && state.buckets.length % 3 === 0 &&
      Number.isSafeInteger(state.seen) &&
      state.seen >= 0 && Number.isSafeInteger(state.drifts) && state.drifts >= 0;
    if (!ok) badState("Adwin", state);
    for (let q = 0; q < state.buckets.length; q += 3) {
      const [n, sum, m2] = state.buckets.slice(q, q + 3);
      if (!(Number.isSafeInteger(n) && n >= 1 && m2 >= 0)) badState("Adwin", state);
      a.#ns.push(n);
      a.#sums.push(sum);
      a.#m2s.push(m2);
      a.#combine(n, sum / n, m2, 1);
    }
    a.#seen = state.seen;
    a.#drifts = state.drifts;
    return a;
  }

  /** Drifts reported since the start. */
  get drifts(): number {
    return this.#drifts;
  }

  /** Values in the window. */
  get width(): number {
    return this.#n;
  }

  /** The window's mean (0 when empty). */
  get mean(): number {
    return this.#mean;
  }

  /**
   * Takes the next value.
   *
   * @param x The value (one that is not finite is ignored).
   * @returns Whether a drift was detected (old values were dropped) at this value.
   */
  update(x: number): boolean {
    if (!Number.isFinite(x)) return false;
    this.#ns.push(1);
    this.#sums.push(x);
    this.#m2s.push(0);
    this.#combine(1, x, 0, 1);
    this.#compress();
    this.#seen++;
    const { clock, gracePeriod, minWindowLength } = this.#options;
    if (this.#seen % clock !== 0 || this.#seen < gracePeriod || this.#n < 2 * minWindowLength) return false;
    let drift = false;
    while (this.#cut()) {
      drift = true;
      this.#combine(this.#ns[0], this.#sums[0] / this.#ns[0], this.#m2s[0], -1);
      this.#ns.shift();
      this.#sums.shift();
      this.#m2s.shift();
    }
    if (drift) this.#drifts++;
    return drift;
  }

  /**
   * The state as plain data (copies).
   *
   * @returns Settings, buckets and counters.
   */
  toState(): AdwinState {
    const buckets: number[] = [];
    for (let b = 0; b < this.#ns.length; b++) buckets.push(this.#ns[b], this.#sums[b], this.#m2s[b]);
    return { options: { ...this.#options }, buckets, seen: this.#seen, drifts: this.#drifts };
  }

  /** Adds (sign 1) or removes (sign −1) a group of n values with mean μ and M2 to the window's totals (Chan et al.). */
  #combine(n: number, mu: number, m2: number, sign: 1 | -1): void {
    const n0 = this.#n, total = n0 + sign * n;
    if (total <= 0 || !Number.isFinite(mu)) {
      this.#n = Math.max(0, total);
      if (this.#n === 0) this.#mean = this.#m2 = 0;
      return;
    }
    if (sign === 1) {
      const d = mu - this.#mean;
      this.#mean += d * n / total;
      this.#m2 += m2 + d * d * n0 * n / total;
    } else {
      const rest = (this.#mean * n0 - mu * n) / total;
      const d = mu - rest;
      this.#m2 = Math.max(0, this.#m2 - m2 - d * d * total * n / n0);
      this.#mean = rest;
    }
    this.#n = total;
  }

  /** Merges the two oldest buckets of any size that has more than `maxBuckets`. */
  #compress(): void {
    const ns = this.#ns, sums = this.#sums, m2s = this.#m2s, max = this.#options.maxBuckets;
    // sizes are non-increasing from oldest to newest; walk from the newest
    let end = ns.length;
    while (end > 0) {
      const size = ns[end - 1];
      let start = end - 1;
      while (start > 0 && ns[start - 1] === size) start--;
      if (end - start <= max) {
        end = start;
        continue;
      }
      // merge buckets start and start+1 (the two oldest of this size)
      const n = 2 * size, mu0 = sums[start] / size, mu1 = sums[start + 1] / size, d = mu1 - mu0;
      ns.splice(start, 2, n);
      m2s.splice(start, 2, m2s[start] + m2s[start + 1] + d * d * size / 2);
      sums.splice(start, 2, sums[start] + sums[start + 1]);
      end = start + 1; // the merged bucket may overfill the next size up
    }
  }

  /** Whether some split of the window shows a significant change of mean. */
  #cut(): boolean {
    const { delta, minWindowLength } = this.#options;
    const n = this.#n, ns = this.#ns, sums = this.#sums;
    if (n < 2 * minWindowLength) return false;
    const variance = this.#m2 / n, total = this.#mean * n;
    const dd = Math.log(2 * Math.log(n) / delta);
    let n0 = 0, s0 = 0;
    for (let b = 0; b < ns.length - 1; b++) {
      n0 += ns[b];
      s0 += sums[b];
      const n1 = n - n0;
      if (n0 < minWindowLength || n1 < minWindowLength) continue;
      const m = 1 / (1 / n0 + 1 / n1);
      const eps = Math.sqrt(2 * variance * dd / m) + 2 * dd / (3 * m);
      if (Math.abs(s0 / n0 - (total - s0) / n1) > eps) return true;
    }
    return false;
  }
}
