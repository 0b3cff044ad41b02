/**
 * Straightforward kernels (plain triple loops, no blocking), kept only so the
 * benchmarks can show what the blocked kernels of `src/kernels/js_backend.ts` buy.
 *
 * @module
 */
import type { Kernels } from "../src/kernels/js_backend.ts";

/** The three products as plain loops whose innermost loop runs along a row of C. */
export const naiveKernels: Kernels = {
  gemm(r, k, n, A, B, C) {
    for (let i = 0; i < r; i++) {
      for (let p = 0; p < k; p++) {
        const aip = A[i * k + p];
        for (let j = 0; j < n; j++) C[i * n + j] += aip * B[p * n + j];
      }
    }
  },
  gemmTN(r, k, n, A, B, C) {
    for (let i = 0; i < r; i++) {
      for (let p = 0; p < k; p++) {
        const aip = A[i * k + p];
        for (let j = 0; j < n; j++) C[p * n + j] += aip * B[i * n + j];
      }
    }
  },
  gemmNT(r, k, n, A, B, C) {
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < n; j++) {
        const aij = A[i * n + j];
        for (let p = 0; p < k; p++) C[i * k + p] += aij * B[p * n + j];
      }
    }
  },
};
