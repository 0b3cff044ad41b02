/**
 * Dense float64 kernels behind one small internal interface, so that a faster
 * backend (SIMD, threads) can replace them without touching the model code.
 * All matrices are row-major `Float64Array`s with explicit dimensions; every
 * kernel ACCUMULATES into its output (`+=`), which is what backprop needs.
 *
 * @module
 */

/** The operations the RNN math needs. */
export interface Kernels {
  /** `C[r×n] += A[r×k] · B[k×n]` */
  gemm(r: number, k: number, n: number, A: Float64Array, B: Float64Array, C: Float64Array): void;
  /** `C[k×n] += A[r×k]ᵀ · B[r×n]` */
  gemmTN(r: number, k: number, n: number, A: Float64Array, B: Float64Array, C: Float64Array): void;
  /** `C[r×k] += A[r×n] · B[k×n]ᵀ` */
  gemmNT(r: number, k: number, n: number, A: Float64Array, B: Float64Array, C: Float64Array): void;
}

/** Plain TypeScript kernels. */
export const jsKernels: Kernels = {
  gemm(r, k, n, A, B, C) {
    if (n === 1) {
      for (let i = 0; i < r; i++) C[i] += dot(A, i * k, B, 0, k);
      return;
    }
    for (let i = 0; i < r; i++) {
      const ci = i * n;
      for (let p = 0; p < k; p++) {
        const aip = A[i * k + p];
        if (aip === 0) continue;
        const bp = p * n;
        for (let j = 0; j < n; j++) C[ci + j] += aip * B[bp + j];
      }
    }
  },
  gemmTN(r, k, n, A, B, C) {
    for (let i = 0; i < r; i++) {
      const ai = i * k, bi = i * n;
      for (let p = 0; p < k; p++) {
        const aip = A[ai + p];
        const cp = p * n;
        for (let j = 0; j < n; j++) C[cp + j] += aip * B[bi + j];
      }
    }
  },
  gemmNT(r, k, n, A, B, C) {
    if (n === 1) {
      for (let i = 0; i < r; i++) {
        const ai = A[i];
        if (ai === 0) continue;
        const ci = i * k;
        for (let p = 0; p < k; p++) C[ci + p] += ai * B[p];
      }
      return;
    }
    for (let i = 0; i < r; i++) {
      for (let p = 0; p < k; p++) C[i * k + p] += dot(A, i * n, B, p * n, n);
    }
  },
};

/** Inner product of `len` values of `a` from `ia` and `b` from `ib`, unrolled by four. */
export function dot(a: Float64Array, ia: number, b: Float64Array, ib: number, len: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let t = 0;
  for (; t + 3 < len; t += 4) {
    s0 += a[ia + t] * b[ib + t];
    s1 += a[ia + t + 1] * b[ib + t + 1];
    s2 += a[ia + t + 2] * b[ib + t + 2];
    s3 += a[ia + t + 3] * b[ib + t + 3];
  }
  for (; t < len; t++) s0 += a[ia + t] * b[ib + t];
  return (s0 + s1) + (s2 + s3);
}

let active: Kernels = jsKernels;

/** The kernels in use. */
export function kernels(): Kernels {
  return active;
}

/** Replaces the kernels in use (for a faster backend, or a test double); returns the previous ones. */
export function useKernels(next: Kernels): Kernels {
  const previous = active;
  active = next;
  return previous;
}
