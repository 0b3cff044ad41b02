/**
 * Straightforward kernels (plain triple loops, no blocking), kept only so the
 * benchmarks can show what the blocked kernels of `src/kernels/js_backend.ts` buy.
 *
 * @module
 */
import type { Backend } from "../src/kernels/backend.ts";
import { createJsBackend } from "../src/kernels/js_backend.ts";

/** The JS backend with its three products replaced by plain loops whose innermost loop runs along a row of C. */
export const naiveKernels: Backend = {
  ...createJsBackend(),
  name: "js-naive",
  gemm(r: number, k: number, n: number, A: Float64Array, B: Float64Array, C: Float64Array) {
    for (let i = 0; i < r; i++) {
      for (let p = 0; p < k; p++) {
        const aip = A[i * k + p];
        for (let j = 0; j < n; j++) C[i * n + j] += aip * B[p * n + j];
      }
    }
  },
  gemmTN(r: number, k: number, n: number, A: Float64Array, B: Float64Array, C: Float64Array) {
    for (let i = 0; i < r; i++) {
      for (let p = 0; p < k; p++) {
        const aip = A[i * k + p];
        for (let j = 0; j < n; j++) C[p * n + j] += aip * B[i * n + j];
      }
    }
  },
  gemmNT(r: number, k: number, n: number, A: Float64Array, B: Float64Array, C: Float64Array) {
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < n; j++) {
        const aij = A[i * n + j];
        for (let p = 0; p < k; p++) C[i * k + p] += aij * B[p * n + j];
      }
    }
  },
};
