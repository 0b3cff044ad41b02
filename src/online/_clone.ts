/**
 * Deep copies of plain data with matrices and typed arrays inside (parameters, step
 * records of any cell), for snapshots that must not share buffers with a live run.
 * (`cloneData()` in src/math does the same once it lands; this stays private.)
 *
 * @module
 */
import { Matrix } from "../math/matrix.ts";

/** A deep copy: matrices, typed arrays, arrays and plain objects are copied; other values are kept. */
export function clonePlain<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Matrix) return value.clone() as T;
  if (ArrayBuffer.isView(value)) return (value as unknown as Float64Array).slice() as T;
  if (Array.isArray(value)) return value.map(clonePlain) as T;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = clonePlain(v);
  return out as T;
}
