/**
 * Moving matrices into a backend's memory, once per run, so that its kernels take them
 * with no copy per call.
 *
 * @module
 */
import { Matrix } from "../math/matrix.ts";
import type { Backend } from "./backend.ts";

/**
 * A copy of a record of matrices (a cell's parameters) whose values live in the backend's
 * memory ({@linkcode Backend.alloc}); every float keeps its bits. On a WebAssembly backend
 * the copies are views of its shared memory, which its kernels then read and write in
 * place; on `"js"` they are plain arrays.
 *
 * @typeParam T The record's type.
 * @param record Named matrices (other values are not allowed).
 * @param backend The backend whose memory receives the copies.
 * @returns A new record of new matrices, same shapes and values.
 * @throws {TypeError} When a value of the record is not a Matrix.
 *
 * @example Usage
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createBackend, resident } from "./mod.ts";
 * import { Matrix } from "../math/matrix.ts";
 * const params = { W: new Matrix(1, 2, Float64Array.of(1, 2)) };
 * const copy = resident(params, createBackend("wasm-f64"));
 * assertEquals([...copy.W.data], [1, 2]);
 * ```
 */
export function resident<T extends { [name: string]: Matrix }>(record: T, backend: Backend): T {
  const out: { [name: string]: Matrix } = {};
  for (const [name, m] of Object.entries(record)) {
    if (!(m instanceof Matrix)) {
      throw new TypeError(`Cannot make '${name}' resident as it must be a Matrix: got ${typeof m}`);
    }
    const data = backend.alloc(m.data.length);
    data.set(m.data);
    out[name] = new Matrix(m.rows, m.cols, data);
  }
  return out as T;
}
