/**
 * The opt-in `"wasm-f32"` backend (`exact: false`): the three matrix products run in
 * float32 WebAssembly SIMD (f32x4), with the relaxed-SIMD fused multiply-add where the
 * runtime validates it and plain multiply and add otherwise. `tanh`, `sigmoid` and
 * `softmaxColumns` run in float64 WebAssembly SIMD with polynomial e^x and log (not
 * `Math.tanh` / `Math.exp` / `Math.log`): within 8 units in the last place of the float64
 * reference (measured: 4), two to three times faster than the JavaScript loops. Everything
 * else (token gathers, the other element-wise kernels, optimizer updates, and the
 * one-column products of m = 1, where rounding the matrix would cost as much as the
 * product) is the `"wasm-f64"` code: bit-identical to the reference.
 *
 * Storage stays float64 (the interface speaks `Float64Array`, and the trainer writes
 * parameters between steps): each product rounds its two operands to float32 into
 * scratch inside WebAssembly (SIMD demote, a pass over r·k + k·n values against the
 * product's r·k·n multiply-adds), sums in float32, and adds the sums into the float64
 * output. Tolerance against the reference: each product's error is within
 * `4·(len + 2)·2⁻²⁴·Σ|a·b|` per element (len = the summed dimension), ~1e-5 relative
 * for the benchmark sizes; training curves agree with float64 to the usual
 * float32 drift, never bit for bit.
 *
 * Checkpoints: a run on `"wasm-f32"` records that name, and resumes bit for bit only on
 * the same runtime and CPU. Whether the fused multiply-add is used depends on the
 * runtime (relaxed SIMD), and relaxed SIMD itself may round differently per CPU, so a
 * `"wasm-f32"` checkpoint is NOT bit-exact across machines; `"js"` and `"wasm-f64"` are.
 *
 * @module
 */
import type { Backend } from "../backend.ts";
import { hasRelaxedSimd, instantiateF32, instantiateF64 } from "./_instance.ts";
import { wasmF64Kernels } from "./wasm_f64_backend.ts";

/** Options of {@linkcode createWasmF32Backend}. */
export interface WasmF32BackendOptions {
  /** Use the relaxed-SIMD fused multiply-add: `"auto"` when the runtime has it. @default {"auto"} */
  relaxed?: boolean | "auto";
}

/**
 * Creates a `"wasm-f32"` backend with its own memory (capped at 1 GiB); synchronous, and
 * ready at once.
 *
 * @param options Whether to use relaxed SIMD.
 * @returns A new `"wasm-f32"` backend.
 * @throws {RangeError} When relaxed SIMD is asked for and the runtime lacks it.
 *
 * @example Usage
 * ```ts
 * import { assertAlmostEquals } from "@std/assert";
 * import { createWasmF32Backend } from "./wasm_f32_backend.ts";
 * const backend = createWasmF32Backend();
 * const C = backend.alloc(4);
 * backend.gemm(2, 2, 2, Float64Array.of(1, 2, 3, 4), Float64Array.of(0.1, 0, 0, 0.1), C);
 * assertAlmostEquals(C[3], 0.4, 1e-6);
 * ```
 */
export function createWasmF32Backend(options: WasmF32BackendOptions = {}): Backend {
  const { relaxed = "auto" } = options;
  const has = hasRelaxedSimd();
  if (relaxed === true && !has) {
    throw new RangeError(
      `Cannot create the wasm-f32 backend as 'relaxed' is true and this runtime has no relaxed SIMD: current value is ${relaxed}`,
    );
  }
  const { heap, f64 } = instantiateF64();
  const w = instantiateF32(heap, relaxed === "auto" ? has : relaxed);
  const exact = wasmF64Kernels(heap, f64);
  return {
    ...exact,
    name: "wasm-f32",
    exact: false,
    gemm(r, k, n, A, B, C) {
      if (n === 1) return exact.gemm(r, k, n, A, B, C);
      heap.begin();
      const a = heap.in(A), b = heap.in(B), c = heap.out(C);
      // scratch (float32): B, and a panel of four rows of A
      w.gemm32(r, k, n, a, b, c, heap.scratch(4 * (k * n + 4 * k)));
      heap.end();
    },
    gemmTN(r, k, n, A, B, C) {
      if (n === 1) return exact.gemmTN(r, k, n, A, B, C);
      heap.begin();
      const a = heap.in(A), b = heap.in(B), c = heap.out(C);
      // scratch (float32): A and B
      w.gemmTN32(r, k, n, a, b, c, heap.scratch(4 * (r * k + r * n)));
      heap.end();
    },
    gemmNT(r, k, n, A, B, C) {
      if (n === 1) return exact.gemmNT(r, k, n, A, B, C);
      heap.begin();
      const a = heap.in(A), b = heap.in(B), c = heap.out(C);
      // scratch (float32): Bᵀ, and a panel of four rows of A
      w.gemmNT32(r, k, n, a, b, c, heap.scratch(4 * (k * n + 4 * n)));
      heap.end();
    },
    tanh(z, out) {
      heap.begin();
      w.tanhApprox(out.length, heap.in(z), heap.out(out));
      heap.end();
    },
    sigmoid(z, out) {
      heap.begin();
      w.sigmoidApprox(out.length, heap.in(z), heap.out(out));
      heap.end();
    },
    softmaxColumns(r, m, z, yHat, logNorm) {
      heap.begin();
      const zp = heap.in(z), yp = heap.out(yHat), lp = heap.out(logNorm);
      // scratch: each column's maximum and sum
      w.softmaxColumnsApprox(r, m, zp, yp, lp, heap.scratch(8 * 2 * m));
      heap.end();
    },
  };
}
