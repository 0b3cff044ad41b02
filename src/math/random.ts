/**
 * A seeded pseudo-random generator (xoshiro128**), used everywhere instead of `Math.random`.
 *
 * @module
 */

/** Plain-data state of a {@linkcode Random}, for checkpoints. */
export interface RandomState {
  /** The four 32-bit words of the xoshiro128** state. */
  s: [number, number, number, number];
  /** A spare standard normal from the last Box–Muller pair, or null. */
  spare: number | null;
}

/**
 * Seeded generator of uniform, normal and integer draws. The whole state is plain
 * data (`getState`/`setState`), so a resumed run draws exactly what an uninterrupted
 * one would have.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { Random } from "./random.ts";
 * const a = new Random(42), b = new Random(42);
 * assert(a.next() === b.next());
 * ```
 */
export class Random {
  #s = new Uint32Array(4);
  #spare: number | null = null;

  /**
   * Seeds the generator: the low 32 bits of the seed are spread over the state with
   * splitmix32, and the rest (sign and high bits) is mixed into one word through a
   * bijection, so distinct safe integers give distinct states.
   *
   * @param seed An integer seed (any safe integer).
   * @throws {RangeError} When the seed is not a safe integer.
   */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`Cannot create Random as 'seed' must be a safe integer: current value is ${seed}`);
    }
    let x = seed >>> 0;
    for (let k = 0; k < 4; k++) {
      // splitmix32
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.#s[k] = (z ^ (z >>> 16)) >>> 0;
    }
    // s[0] alone determines the low word; fmix32 is a bijection with fmix32(0) = 0, so seeds
    // in [0, 2^32) are unaffected and no two seeds share a state (−2 and 2^32 used to)
    this.#s[1] ^= fmix32(Math.floor(seed / 4294967296) | 0);
    if ((this.#s[0] | this.#s[1] | this.#s[2] | this.#s[3]) === 0) this.#s[0] = 1;
  }

  /**
   * The next 32 random bits as an unsigned integer.
   *
   * @returns An integer in [0, 2³²).
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Random } from "./random.ts";
   * const u = new Random(1).nextUint32();
   * assert(u >= 0 && u < 2 ** 32);
   * ```
   */
  nextUint32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /**
   * A uniform draw in [0, 1) with 53 random bits.
   *
   * @returns A number in [0, 1).
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Random } from "./random.ts";
   * const u = new Random(3).next();
   * assert(u >= 0 && u < 1);
   * ```
   */
  next(): number {
    const hi = this.nextUint32() >>> 5, lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * A standard normal draw (Box–Muller; the pair's second value is kept for the next call).
   *
   * @returns A sample of N(0, 1).
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Random } from "./random.ts";
   * assert(Number.isFinite(new Random(5).normal()));
   * ```
   */
  normal(): number {
    if (this.#spare !== null) {
      const v = this.#spare;
      this.#spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const r = Math.sqrt(-2 * Math.log(u)), theta = 2 * Math.PI * this.next();
    this.#spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /**
   * A uniform integer in [0, n), without modulo bias.
   *
   * @param n The exclusive upper bound, an integer in [1, 2³²].
   * @returns An integer in [0, n).
   * @throws {RangeError} When `n` is out of range.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Random } from "./random.ts";
   * const k = new Random(9).int(6);
   * assert(k >= 0 && k < 6);
   * ```
   */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) {
      throw new RangeError(
        `Cannot draw Random.int(n) as 'n' must be an integer in [1, 2^32]: current value is ${n}`,
      );
    }
    const limit = 4294967296 - (4294967296 % n);
    let u = this.nextUint32();
    while (u >= limit) u = this.nextUint32();
    return u % n;
  }

  /**
   * Shuffles an array in place (Fisher–Yates).
   *
   * @typeParam T The element type.
   * @param items The array to shuffle.
   * @returns The same array.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Random } from "./random.ts";
   * const xs = new Random(2).shuffle([1, 2, 3, 4]);
   * assert(xs.length === 4);
   * ```
   */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }

  /**
   * The generator's state as plain data.
   *
   * @returns A copy of the state.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Random } from "./random.ts";
   * const r = new Random(7);
   * const saved = r.getState();
   * const a = r.next();
   * r.setState(saved);
   * assert(r.next() === a);
   * ```
   */
  getState(): RandomState {
    return { s: [this.#s[0], this.#s[1], this.#s[2], this.#s[3]], spare: this.#spare };
  }

  /**
   * Restores a state taken with {@linkcode Random.getState}.
   *
   * @param state The state to restore.
   * @throws {TypeError} When the state is malformed.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Random } from "./random.ts";
   * const r = new Random(1);
   * r.setState(new Random(2).getState());
   * assert(r.next() === new Random(2).next());
   * ```
   */
  setState(state: RandomState): void {
    const s = state?.s;
    if (
      !Array.isArray(s) || s.length !== 4 ||
      !s.every((w) => Number.isInteger(w) && w >= 0 && w < 4294967296) ||
      (s[0] | s[1] | s[2] | s[3]) === 0 || !(state.spare === null || Number.isFinite(state.spare))
    ) {
      throw new TypeError(`Cannot restore Random: malformed state ${JSON.stringify(state)}`);
    }
    this.#s.set(s);
    this.#spare = state.spare;
  }
}

/** MurmurHash3's 32-bit finalizer: a bijection on 32-bit words. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
