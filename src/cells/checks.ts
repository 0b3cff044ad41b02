/**
 * Checks of inputs, targets and reset masks, shared by the public functions and the
 * stream operators. Each returns the value in its canonical form or throws a
 * RangeError/TypeError that names what was wrong and the value seen.
 *
 * @module
 */
import { describe, Matrix } from "../math/matrix.ts";
import type { Head, Input, Target } from "./types.ts";

/** Canonical input: a dense n_x×m Matrix with finite values, or m token indices in [0, n_x). */
export function checkInput(x: unknown, nx: number, m: number, what = "x"): Input {
  if (x instanceof Matrix) {
    if (x.rows !== nx || x.cols !== m) {
      throw new RangeError(`'${what}' has shape ${x.shape}, expected ${nx}x${m}`);
    }
    checkFiniteData(what, x);
    return x;
  }
  return checkTokens(x, nx, m, what);
}

/** Canonical target: a dense n_y×m Matrix with finite values, or m class indices in [0, n_y). */
export function checkTarget(y: unknown, ny: number, m: number, head: Head, what = "y"): Target {
  if (y instanceof Matrix) {
    if (y.rows !== ny || y.cols !== m) {
      throw new RangeError(`'${what}' has shape ${y.shape}, expected ${ny}x${m}`);
    }
    checkFiniteData(what, y);
    return y;
  }
  if (head === "linear") {
    throw new TypeError(`'${what}' must be a ${ny}x${m} Matrix for the linear head: got ${describe(y)}`);
  }
  return checkTokens(y, ny, m, what);
}

/** Canonical reset mask: null, or m flags (Uint8Array) of which any may be set. */
export function checkReset(reset: unknown, m: number, what = "reset"): Uint8Array | null {
  if (reset === undefined || reset === null) return null;
  if (!(Array.isArray(reset) || ArrayBuffer.isView(reset))) {
    throw new TypeError(`'${what}' must be an array of ${m} booleans or 0/1 flags: got ${describe(reset)}`);
  }
  const list = reset as ArrayLike<unknown>;
  if (list.length !== m) {
    throw new RangeError(`'${what}' has length ${list.length}, expected ${m} (one flag per column)`);
  }
  const out = new Uint8Array(m);
  let any = false;
  for (let j = 0; j < m; j++) {
    const v = list[j];
    if (v !== 0 && v !== 1 && v !== true && v !== false) {
      throw new TypeError(`'${what}[${j}]' must be a boolean or 0/1: current value is ${String(v)}`);
    }
    out[j] = v ? 1 : 0;
    any ||= out[j] === 1;
  }
  return any ? out : null;
}

function checkTokens(x: unknown, n: number, m: number, what: string): Int32Array {
  if (!(x instanceof Int32Array || Array.isArray(x) || x instanceof Uint8Array || x instanceof Uint16Array)) {
    throw new TypeError(
      `'${what}' must be a Matrix or ${m} token indices (Int32Array or number[]): got ${describe(x)}`,
    );
  }
  const list = x as ArrayLike<unknown>;
  if (list.length !== m) {
    throw new RangeError(`'${what}' has ${list.length} token indices, expected ${m} (one per column)`);
  }
  for (let j = 0; j < m; j++) {
    const t = list[j];
    if (typeof t !== "number" || !Number.isInteger(t) || t < 0 || t >= n) {
      throw new RangeError(
        `'${what}[${j}]' must be a token index in [0, ${n}): current value is ${String(t)}`,
      );
    }
  }
  return x instanceof Int32Array ? x : Int32Array.from(list as ArrayLike<number>);
}

function checkFiniteData(what: string, x: Matrix): void {
  const d = x.data;
  for (let q = 0; q < d.length; q++) {
    const v = d[q];
    if (v - v !== 0) {
      throw new RangeError(
        `'${what}' must be finite: value at (${Math.floor(q / x.cols)}, ${q % x.cols}) is ${v}`,
      );
    }
  }
}

/** Throws unless `head` is a known head name. */
export function checkHead(fn: string, head: unknown): Head {
  if (head !== "softmax" && head !== "linear") {
    throw new RangeError(
      `Cannot ${fn} as 'head' must be "softmax" or "linear": current value is ${String(head)}`,
    );
  }
  return head;
}
