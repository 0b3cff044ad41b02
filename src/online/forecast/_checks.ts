/**
 * Option and state checks shared by the forecasting components (private to this folder).
 *
 * @module
 */

/** Throws a RangeError unless `v` is an integer >= `min`. */
export function checkInt(what: string, name: string, v: number, min: number): void {
  if (!Number.isSafeInteger(v) || v < min) {
    throw new RangeError(
      `Cannot create ${what} as '${name}' must be an integer >= ${min}: current value is ${v}`,
    );
  }
}

/** Throws a RangeError unless `v` is a finite number in the interval (lo or [lo, hi) or hi]. */
export function checkRange(
  what: string,
  name: string,
  v: number,
  lo: number,
  hi: number,
  openLo = false,
  openHi = false,
): void {
  const ok = typeof v === "number" && Number.isFinite(v) && (openLo ? v > lo : v >= lo) &&
    (openHi ? v < hi : v <= hi);
  if (!ok) {
    const range = `${openLo ? "(" : "["}${lo}, ${hi}${openHi ? ")" : "]"}`;
    throw new RangeError(
      `Cannot create ${what} as '${name}' must be a number in ${range}: current value is ${v}`,
    );
  }
}

/** Throws a RangeError unless `v` is a finite number (a reading). */
export function checkValue(what: string, v: number): void {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new RangeError(`Cannot call ${what} as the value must be a finite number: current value is ${v}`);
  }
}

/** Throws a TypeError for a malformed state. */
export function badState(what: string, state: unknown): never {
  throw new TypeError(`Cannot restore ${what}: malformed state ${JSON.stringify(state)?.slice(0, 200)}`);
}

/** True for an array of `n` finite numbers (any `n` when `n` is undefined). */
export function isNumbers(v: unknown, n?: number): v is number[] {
  return Array.isArray(v) && (n === undefined || v.length === n) &&
    v.every((e) => typeof e === "number" && Number.isFinite(e));
}

/** True for a finite number. */
export function isFiniteNumber(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/** The weight of a new observation in an exponentially weighted average with this half-life (in observations). */
export function decayWeight(halfLife: number): number {
  return 1 - Math.pow(2, -1 / halfLife);
}
