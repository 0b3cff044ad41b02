/**
 * A deep copy of plain data: what parameters, step caches and trainer snapshots are made of.
 *
 * @module
 */
import { describe, Matrix } from "./matrix.ts";

/**
 * A deep copy of plain data: Matrix (its values copied), typed arrays, numbers, strings,
 * booleans, null, undefined, and plain objects and arrays of these. It copies any cell's
 * parameters or step caches, so snapshots work for every cell. Every float keeps its bits.
 *
 * @typeParam T The value's type.
 * @param value The value to copy.
 * @returns A copy that shares no array or object with `value`.
 * @throws {TypeError} When the value holds something else (a function, a class instance, a DataView).
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { cloneData } from "./clone_data.ts";
 * import { Matrix } from "./matrix.ts";
 * const cache = { a: Matrix.zeros(2, 1), tokens: new Int32Array([3]), reset: null, loss: 1.5 };
 * const copy = cloneData(cache);
 * assert(copy.a !== cache.a && copy.a.shape === "2x1" && copy.tokens[0] === 3 && copy.loss === 1.5);
 * ```
 */
export function cloneData<T>(value: T): T {
  return copy(value, "value") as T;
}

function copy(value: unknown, path: string): unknown {
  if (value === null || typeof value !== "object") {
    if (typeof value === "function" || typeof value === "symbol") {
      throw new TypeError(`Cannot cloneData() as '${path}' is not plain data: got ${describe(value)}`);
    }
    return value;
  }
  if (value instanceof Matrix) return value.clone();
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return (value as unknown as { slice(): unknown }).slice();
  }
  if (Array.isArray(value)) return value.map((v, i) => copy(v, `${path}[${i}]`));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(`Cannot cloneData() as '${path}' is not plain data: got ${describe(value)}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = copy(v, `${path}.${key}`);
  return out;
}
