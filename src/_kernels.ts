/**
 * Dense float64 kernels behind one small internal interface, so that a faster
 * backend (SIMD, threads) can replace them without touching the model code.
 * All matrices are row-major `Float64Array`s with explicit dimensions; every
 * kernel ACCUMULATES into its output (`+=`), which is what backprop needs.
 *
 * The plain TypeScript kernels reduce all three products to one strided tile
 * loop, `C[x, y] += Σ_t U[x, t] · V[y, t]`, computed in 4×4 register blocks
 * (sixteen scalar accumulators, eight loads per sixteen multiply-adds) with 4×1
 * and 1×1 blocks at the edges; the one-column case of `gemmNT` is an outer product
 * done four rows at a time.
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
    // x = row i of A (stride k), y = column j of B (stride 1), t = p
    tile(r, n, k, A, k, 1, B, 1, n, C, n);
  },
  gemmTN(r, k, n, A, B, C) {
    // x = column p of A (stride 1), y = column j of B (stride 1), t = row i of both
    tile(k, n, r, A, 1, k, B, 1, n, C, n);
  },
  gemmNT(r, k, n, A, B, C) {
    if (n === 1) outer(r, k, A, B, C);
    // x = row i of A (stride n), y = row p of B (stride n), t = j
    else tile(r, k, n, A, n, 1, B, n, 1, C, k);
  },
};

/**
 * `C[x·cs + y] += Σ_{t<len} U[x·us + t·ut] · V[y·vs + t·vt]` for x < rows, y < cols.
 */
function tile(
  rows: number,
  cols: number,
  len: number,
  U: Float64Array,
  us: number,
  ut: number,
  V: Float64Array,
  vs: number,
  vt: number,
  C: Float64Array,
  cs: number,
): void {
  let x = 0;
  for (; x + 3 < rows; x += 4) {
    let y = 0;
    for (; y + 3 < cols; y += 4) block4x4(len, U, x * us, us, ut, V, y * vs, vs, vt, C, x * cs + y, cs);
    for (; y < cols; y++) block4x1(len, U, x * us, us, ut, V, y * vs, vt, C, x * cs + y, cs);
  }
  for (; x < rows; x++) {
    for (let y = 0; y < cols; y++) {
      let s = 0;
      for (let t = 0, u = x * us, v = y * vs; t < len; t++, u += ut, v += vt) s += U[u] * V[v];
      C[x * cs + y] += s;
    }
  }
}

/** A 4×4 block of {@linkcode tile}, its sixteen sums held in locals. */
function block4x4(
  len: number,
  U: Float64Array,
  u: number,
  us: number,
  ut: number,
  V: Float64Array,
  v: number,
  vs: number,
  vt: number,
  C: Float64Array,
  c: number,
  cs: number,
): void {
  let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
  let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
  const us2 = us + us, us3 = us2 + us, vs2 = vs + vs, vs3 = vs2 + vs;
  for (let t = 0; t < len; t++, u += ut, v += vt) {
    const v0 = V[v], v1 = V[v + vs], v2 = V[v + vs2], v3 = V[v + vs3];
    let w = U[u];
    s00 += w * v0, s01 += w * v1, s02 += w * v2, s03 += w * v3;
    w = U[u + us];
    s10 += w * v0, s11 += w * v1, s12 += w * v2, s13 += w * v3;
    w = U[u + us2];
    s20 += w * v0, s21 += w * v1, s22 += w * v2, s23 += w * v3;
    w = U[u + us3];
    s30 += w * v0, s31 += w * v1, s32 += w * v2, s33 += w * v3;
  }
  C[c] += s00, C[c + 1] += s01, C[c + 2] += s02, C[c + 3] += s03;
  c += cs;
  C[c] += s10, C[c + 1] += s11, C[c + 2] += s12, C[c + 3] += s13;
  c += cs;
  C[c] += s20, C[c + 1] += s21, C[c + 2] += s22, C[c + 3] += s23;
  c += cs;
  C[c] += s30, C[c + 1] += s31, C[c + 2] += s32, C[c + 3] += s33;
}

/** A 4×1 block of {@linkcode tile} (one column of V). */
function block4x1(
  len: number,
  U: Float64Array,
  u: number,
  us: number,
  ut: number,
  V: Float64Array,
  v: number,
  vt: number,
  C: Float64Array,
  c: number,
  cs: number,
): void {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const us2 = us + us, us3 = us2 + us;
  for (let t = 0; t < len; t++, u += ut, v += vt) {
    const v0 = V[v];
    s0 += U[u] * v0, s1 += U[u + us] * v0, s2 += U[u + us2] * v0, s3 += U[u + us3] * v0;
  }
  C[c] += s0, C[c + cs] += s1, C[c + 2 * cs] += s2, C[c + 3 * cs] += s3;
}

/** `C[r×k] += a[r] · b[k]ᵀ`, four rows at a time so each `b[p]` is loaded once. */
function outer(r: number, k: number, a: Float64Array, b: Float64Array, C: Float64Array): void {
  let i = 0;
  for (; i + 3 < r; i += 4) {
    const a0 = a[i], a1 = a[i + 1], a2 = a[i + 2], a3 = a[i + 3];
    const c0 = i * k, c1 = c0 + k, c2 = c1 + k, c3 = c2 + k;
    for (let p = 0; p < k; p++) {
      const bp = b[p];
      C[c0 + p] += a0 * bp, C[c1 + p] += a1 * bp, C[c2 + p] += a2 * bp, C[c3 + p] += a3 * bp;
    }
  }
  for (; i < r; i++) {
    const ai = a[i], ci = i * k;
    for (let p = 0; p < k; p++) C[ci + p] += ai * b[p];
  }
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
