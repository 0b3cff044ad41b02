/**
 * Batch columns of plain data (states, step caches, targets) split between shards and
 * joined back: every Matrix of a cell's cache has one column per stream, and every typed
 * array one value per stream (token inputs, `logNorm`, reset flags), so a shard's part is
 * the same structure restricted to a contiguous range of columns.
 *
 * @module
 */
import { describe, Matrix } from "../math/matrix.ts";

/** A contiguous range of batch columns, `[from, to)`. */
export interface ColumnRange {
  /** First column. */
  from: number;
  /** One past the last column. */
  to: number;
}

/**
 * m columns split into n contiguous ranges as evenly as possible, the first `m % n`
 * one column wider (5 into 2: 3 + 2).
 */
export function columnRanges(m: number, n: number): ColumnRange[] {
  const base = Math.floor(m / n), extra = m % n;
  const out: ColumnRange[] = [];
  let from = 0;
  for (let s = 0; s < n; s++) {
    const to = from + base + (s < extra ? 1 : 0);
    out.push({ from, to });
    from = to;
  }
  return out;
}

type Typed = Float64Array | Float32Array | Int32Array | Uint8Array | Uint16Array;

/**
 * A copy of `value` restricted to columns `[from, to)` of m: a Matrix of m columns and a
 * typed array of m values are cut; null, numbers, strings and booleans are kept; arrays
 * and plain objects are walked.
 *
 * @throws {RangeError} When a Matrix or typed array does not have m columns (it is not per column).
 */
export function sliceColumns<T>(value: T, m: number, range: ColumnRange, path = "value"): T {
  return slice(value, m, range, path) as T;
}

function slice(value: unknown, m: number, { from, to }: ColumnRange, path: string): unknown {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Matrix) {
    if (value.cols !== m) {
      throw new RangeError(
        `Cannot split '${path}' by columns as it must have ${m} columns: got ${value.shape}`,
      );
    }
    const w = to - from, out = new Matrix(value.rows, w), src = value.data, dst = out.data;
    for (let i = 0; i < value.rows; i++) dst.set(src.subarray(i * m + from, i * m + to), i * w);
    return out;
  }
  if (ArrayBuffer.isView(value)) {
    const typed = value as unknown as Typed;
    if (typed.length !== m) {
      throw new RangeError(
        `Cannot split '${path}' by columns as it must hold ${m} values: got ${typed.length}`,
      );
    }
    return typed.slice(from, to);
  }
  if (Array.isArray(value)) return value.map((v, i) => slice(v, m, { from, to }, `${path}[${i}]`));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = slice(v, m, { from, to }, `${path}.${key}`);
  return out;
}

/**
 * The inverse of {@linkcode sliceColumns}: the parts (one per shard, in column order, of
 * the given widths) joined by columns. Matrices and typed arrays are concatenated column
 * by column; a part's null among typed arrays stands for zeros (a shard whose columns had
 * no reset flag); nulls, numbers, strings and booleans must agree between the parts.
 *
 * @throws {RangeError} When the parts do not have the same structure.
 */
export function joinColumns<T>(parts: readonly T[], widths: readonly number[], path = "value"): T {
  return join(parts, widths, path) as T;
}

function join(parts: readonly unknown[], widths: readonly number[], path: string): unknown {
  const first = parts[0];
  const m = widths.reduce((a, b) => a + b, 0);
  if (parts.every((p) => p instanceof Matrix)) {
    const mats = parts as Matrix[], rows = mats[0].rows, out = new Matrix(rows, m), dst = out.data;
    let from = 0;
    mats.forEach((p, s) => {
      if (p.rows !== rows || p.cols !== widths[s]) {
        throw new RangeError(
          `Cannot join '${path}' by columns as part ${s} must be ${rows}x${widths[s]}: got ${p.shape}`,
        );
      }
      for (let i = 0; i < rows; i++) dst.set(p.data.subarray(i * p.cols, (i + 1) * p.cols), i * m + from);
      from += widths[s];
    });
    return out;
  }
  const typed = parts.find((p) => ArrayBuffer.isView(p)) as Typed | undefined;
  if (typed !== undefined && parts.every((p) => p === null || ArrayBuffer.isView(p))) {
    const ctor = typed.constructor as new (n: number) => Typed;
    const out = new ctor(m);
    let from = 0;
    parts.forEach((p, s) => {
      if (p !== null) {
        const part = p as Typed;
        if (part.constructor !== ctor || part.length !== widths[s]) {
          throw new RangeError(
            `Cannot join '${path}' by columns as part ${s} must be a ${ctor.name} of ${
              widths[s]
            } values: got ${describe(p)}`,
          );
        }
        out.set(part, from);
      }
      from += widths[s];
    });
    return out;
  }
  if (first === null || typeof first !== "object") {
    parts.forEach((p, s) => {
      if (!Object.is(p, first)) {
        throw new RangeError(
          `Cannot join '${path}' by columns as part ${s} must equal part 0 (${String(first)}): got ${
            describe(p)
          }`,
        );
      }
    });
    return first;
  }
  for (const [s, p] of parts.entries()) {
    const same = Array.isArray(first)
      ? Array.isArray(p) && p.length === first.length
      : p !== null && typeof p === "object" && !Array.isArray(p) && !ArrayBuffer.isView(p) &&
        !(p instanceof Matrix) && Object.keys(p).join() === Object.keys(first).join();
    if (!same) {
      throw new RangeError(
        `Cannot join '${path}' by columns as part ${s} must have part 0's structure: got ${describe(p)}`,
      );
    }
  }
  if (Array.isArray(first)) {
    return first.map((_, i) => join(parts.map((p) => (p as unknown[])[i]), widths, `${path}[${i}]`));
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(first)) {
    out[key] = join(parts.map((p) => (p as Record<string, unknown>)[key]), widths, `${path}.${key}`);
  }
  return out;
}
