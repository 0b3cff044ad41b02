/**
 * The `"wasm-f64"` backend: float64 WebAssembly SIMD kernels (f64x2, plain multiply and
 * add, no fused multiply-add) over one shared `WebAssembly.Memory`.
 *
 * Every sum runs in the same order as the `"js"` reference, so results are
 * bit-identical to it on every machine (`exact: true`). `tanh`, `sigmoid` and
 * `softmaxColumns` run the reference's JavaScript (`Math.tanh`, `Math.exp`, `Math.log`)
 * on the same views, which keeps them bit-identical too.
 *
 * Buffers from `alloc()` are views of the backend's memory and are passed to the kernels
 * by offset (no copy per step); any other `Float64Array` is copied in and out per call.
 *
 * @module
 */
import type { Backend } from "../backend.ts";
import { createJsBackend } from "../js_backend.ts";
import type { WasmHeap } from "./_heap.ts";
import { instantiateF64 } from "./_instance.ts";
import type { F64Kernels } from "./_instance.ts";

/**
 * Creates a `"wasm-f64"` backend with its own memory (capped at 1 GiB); synchronous, and
 * ready at once.
 *
 * @returns A new `"wasm-f64"` backend.
 *
 * @example Usage
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createWasmF64Backend } from "./wasm_f64_backend.ts";
 * const backend = createWasmF64Backend();
 * const C = backend.alloc(1);
 * backend.gemm(1, 2, 1, Float64Array.of(1, 2), Float64Array.of(3, 4), C);
 * assertEquals(C[0], 11);
 * ```
 */
export function createWasmF64Backend(): Backend {
  const { heap, f64 } = instantiateF64();
  return { ...wasmF64Kernels(heap, f64), name: "wasm-f64", exact: true };
}

/** The kernels of the float64 backend over a heap (shared with the float32 backend). */
export function wasmF64Kernels(heap: WasmHeap, w: F64Kernels): Omit<Backend, "name" | "exact"> {
  const js = createJsBackend();
  return {
    ready: () => Promise.resolve(),
    alloc: (length) => heap.alloc(length),
    free: (buffer) => heap.free(buffer),
    gemm(r, k, n, A, B, C) {
      heap.begin();
      const a = heap.in(A), b = heap.in(B), c = heap.out(C);
      // scratch: a panel of four rows of A (n = 1 needs none)
      w.gemm(r, k, n, a, b, c, n > 1 ? heap.scratch(8 * 4 * k) : 0);
      heap.end();
    },
    gemmTN(r, k, n, A, B, C) {
      heap.begin();
      w.gemmTN(r, k, n, heap.in(A), heap.in(B), heap.out(C));
      heap.end();
    },
    gemmNT(r, k, n, A, B, C) {
      heap.begin();
      const a = heap.in(A), b = heap.in(B), c = heap.out(C);
      // scratch: Bᵀ and a panel of four rows of A (n = 1 needs none)
      w.gemmNT(r, k, n, a, b, c, n > 1 ? heap.scratch(8 * (k * n + 4 * n)) : 0);
      heap.end();
    },
    gatherAdd(r, cols, W, tokens, out) {
      heap.begin();
      w.gatherAdd(r, cols, heap.in(W), heap.ints(tokens), tokens.length, heap.out(out));
      heap.end();
    },
    scatterAdd(r, cols, dz, tokens, dW) {
      heap.begin();
      w.scatterAdd(r, cols, heap.in(dz), heap.ints(tokens), tokens.length, heap.out(dW));
      heap.end();
    },
    fillRows(r, m, column, out) {
      heap.begin();
      w.fillRows(r, m, heap.in(column), heap.out(out));
      heap.end();
    },
    rowSumsAdd(r, m, src, out) {
      heap.begin();
      w.rowSumsAdd(r, m, heap.in(src), heap.out(out));
      heap.end();
    },
    tanh: js.tanh,
    tanhBackward(da, a, dz) {
      heap.begin();
      w.tanhBackward(dz.length, heap.in(da), heap.in(a), heap.out(dz));
      heap.end();
    },
    sigmoid: js.sigmoid,
    sigmoidBackward(ds, s, dz) {
      heap.begin();
      w.sigmoidBackward(dz.length, heap.in(ds), heap.in(s), heap.out(dz));
      heap.end();
    },
    mul(a, b, out) {
      heap.begin();
      w.mul(out.length, heap.in(a), heap.in(b), heap.out(out));
      heap.end();
    },
    mulAdd(a, b, out) {
      heap.begin();
      w.mulAdd(out.length, heap.in(a), heap.in(b), heap.out(out));
      heap.end();
    },
    axpy(alpha, x, y) {
      heap.begin();
      w.axpy(y.length, alpha, heap.in(x), heap.out(y));
      heap.end();
    },
    softmaxColumns: js.softmaxColumns,
    sgdStep(p, g, v, lr, momentum, nesterov, weightDecay) {
      heap.begin();
      const vp = v === null ? 0 : heap.out(v);
      w.sgdStep(p.length, heap.out(p), heap.in(g), vp, lr, momentum, nesterov ? 1 : 0, weightDecay);
      heap.end();
    },
    adagradStep(p, g, h, lr, epsilon) {
      heap.begin();
      w.adagradStep(p.length, heap.out(p), heap.in(g), heap.out(h), lr, epsilon);
      heap.end();
    },
    rmspropStep(p, g, s, lr, decay, epsilon) {
      heap.begin();
      w.rmspropStep(p.length, heap.out(p), heap.in(g), heap.out(s), lr, decay, epsilon);
      heap.end();
    },
    adamStep(p, g, m, v, lr, beta1, beta2, epsilon, c1, c2, shrink) {
      heap.begin();
      w.adamStep(
        p.length,
        heap.out(p),
        heap.in(g),
        heap.out(m),
        heap.out(v),
        lr,
        beta1,
        beta2,
        epsilon,
        c1,
        c2,
        shrink,
      );
      heap.end();
    },
  };
}
