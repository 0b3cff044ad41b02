/**
 * Plain data (parameters, states, step records) through `postMessage`: the structured
 * clone keeps typed arrays but not the Matrix class, and it clones a typed array's whole
 * buffer (a WebAssembly memory, for a view into one). So a Matrix travels as
 * `{ $matrix: [rows, cols], data }` and every typed array as a copy of its own values.
 *
 * @module
 */
import { Matrix } from "../math/matrix.ts";

/** A copy of plain data that survives the structured clone (see {@linkcode fromWire}). */
export function toWire(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Matrix) return { $matrix: [value.rows, value.cols], data: value.data.slice() };
  if (ArrayBuffer.isView(value)) return (value as unknown as { slice(): unknown }).slice();
  if (Array.isArray(value)) return value.map(toWire);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = toWire(v);
  return out;
}

/** The plain data that {@linkcode toWire} encoded, with its matrices rebuilt. */
export function fromWire<T>(value: unknown): T {
  return decode(value) as T;
}

function decode(value: unknown): unknown {
  if (value === null || typeof value !== "object" || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) return value.map(decode);
  const record = value as Record<string, unknown>;
  if (Array.isArray(record.$matrix)) {
    const [rows, cols] = record.$matrix as [number, number];
    return new Matrix(rows, cols, record.data as Float64Array);
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(record)) out[key] = decode(v);
  return out;
}
