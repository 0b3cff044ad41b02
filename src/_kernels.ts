/**
 * Dense float64 kernels behind one small internal interface, so that a faster
 * backend (SIMD, threads) can replace them without touching the model code.
 * All matrices are row-major `Float64Array`s with explicit dimensions; every
 * kernel ACCUMULATES into its output (`+=`), which is what backprop needs.
 *
 * The plain TypeScript kernels reduce all three products to one strided tile
 * loop, `C[x, y] += Σ_t U[x, t] · V[y, t]`, computed in 4×4 register blocks
 * (sixteen scalar accumulators, eight loads per sixteen multiply-adds) over
 * packed panels, with strided 4×1 and 1×1 blocks at the edges. One column
 * (m = 1) has its own contiguous loops: `A·b` and `Aᵀ·b` four outputs at a time,
 * and the outer product `a·bᵀ` four rows at a time.
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
    if (n === 1) matvec(r, k, A, B, C);
    // x = row i of A (stride k), y = column j of B (stride 1), t = p
    else tile(r, n, k, A, k, 1, B, 1, n, C, n);
  },
  gemmTN(r, k, n, A, B, C) {
    if (n === 1) matvecT(r, k, A, B, C);
    // x = column p of A (stride 1), y = column j of B (stride 1), t = row i of both
    else tile(k, n, r, A, 1, k, B, 1, n, C, n);
  },
  gemmNT(r, k, n, A, B, C) {
    if (n === 1) outer(r, k, A, B, C);
    // x = row i of A (stride n), y = row p of B (stride n), t = j
    else tile(r, k, n, A, n, 1, B, n, 1, C, k);
  },
};

/** Packed panels of {@linkcode tile}: grown on demand, then reused (no allocation in steady state). */
let packedU = new Float64Array(0), packedV = new Float64Array(0);

/**
 * `C[x·cs + y] += Σ_{t<len} U[x·us + t·ut] · V[y·vs + t·vt]` for x < rows, y < cols.
 * Full 4×4 blocks read packed copies (four rows of U, or four rows of V, interleaved
 * per t) so the inner loop walks both panels with one index; the edges are strided.
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
  const rows4 = rows - rows % 4, cols4 = cols - cols % 4, len4 = 4 * len;
  if (rows4 > 0 && cols4 > 0) {
    if (packedU.length < len4) packedU = new Float64Array(len4);
    if (packedV.length < cols4 * len) packedV = new Float64Array(cols4 * len);
    const Up = packedU, Vp = packedV;
    for (let y = 0; y < cols4; y += 4) pack4(V, y * vs, vs, vt, len, Vp, y * len);
    for (let x = 0; x < rows4; x += 4) {
      pack4(U, x * us, us, ut, len, Up, 0);
      for (let y = 0; y < cols4; y += 4) block4x4(len4, Up, Vp, y * len, C, x * cs + y, cs);
      for (let y = cols4; y < cols; y++) block4x1(len, U, x * us, us, ut, V, y * vs, vt, C, x * cs + y, cs);
    }
  } else {
    for (let x = 0; x < rows4; x += 4) {
      for (let y = 0; y < cols; y++) block4x1(len, U, x * us, us, ut, V, y * vs, vt, C, x * cs + y, cs);
    }
  }
  for (let x = rows4; x < rows; x++) {
    for (let y = 0; y < cols; y++) {
      let s = 0;
      for (let t = 0, u = x * us, v = y * vs; t < len; t++, u += ut, v += vt) s += U[u] * V[v];
      C[x * cs + y] += s;
    }
  }
}

/** Copies four strided rows `src[from + d·stride + t·step]` (d < 4, t < len) to `dst[at + 4t + d]`. */
function pack4(
  src: Float64Array,
  from: number,
  stride: number,
  step: number,
  len: number,
  dst: Float64Array,
  at: number,
): void {
  const s1 = from + stride, s2 = s1 + stride, s3 = s2 + stride;
  for (let t = 0, o = 0, q = at; t < len; t++, o += step, q += 4) {
    dst[q] = src[from + o], dst[q + 1] = src[s1 + o], dst[q + 2] = src[s2 + o], dst[q + 3] = src[s3 + o];
  }
}

/** A 4×4 block of {@linkcode tile} from packed panels, its sixteen sums held in locals. */
function block4x4(
  len4: number,
  Up: Float64Array,
  Vp: Float64Array,
  v: number,
  C: Float64Array,
  c: number,
  cs: number,
): void {
  let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
  let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
  for (let q = 0; q < len4; q += 4, v += 4) {
    const v0 = Vp[v], v1 = Vp[v + 1], v2 = Vp[v + 2], v3 = Vp[v + 3];
    let w = Up[q];
    s00 += w * v0, s01 += w * v1, s02 += w * v2, s03 += w * v3;
    w = Up[q + 1];
    s10 += w * v0, s11 += w * v1, s12 += w * v2, s13 += w * v3;
    w = Up[q + 2];
    s20 += w * v0, s21 += w * v1, s22 += w * v2, s23 += w * v3;
    w = Up[q + 3];
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

/** A 4×1 block of {@linkcode tile} (one column of V), strided. */
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

/** `c[r] += A[r×k] · b[k]`, four rows at a time so each `b[p]` is loaded once. */
function matvec(r: number, k: number, A: Float64Array, b: Float64Array, c: Float64Array): void {
  let i = 0;
  for (; i + 3 < r; i += 4) {
    const a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let p = 0; p < k; p++) {
      const bp = b[p];
      s0 += A[a0 + p] * bp, s1 += A[a1 + p] * bp, s2 += A[a2 + p] * bp, s3 += A[a3 + p] * bp;
    }
    c[i] += s0, c[i + 1] += s1, c[i + 2] += s2, c[i + 3] += s3;
  }
  for (; i < r; i++) {
    let s = 0;
    for (let p = 0, a = i * k; p < k; p++) s += A[a + p] * b[p];
    c[i] += s;
  }
}

/** `c[k] += A[r×k]ᵀ · b[r]`, four columns at a time so each `b[i]` is loaded once. */
function matvecT(r: number, k: number, A: Float64Array, b: Float64Array, c: Float64Array): void {
  let p = 0;
  for (; p + 3 < k; p += 4) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let i = 0, a = p; i < r; i++, a += k) {
      const bi = b[i];
      s0 += A[a] * bi, s1 += A[a + 1] * bi, s2 += A[a + 2] * bi, s3 += A[a + 3] * bi;
    }
    c[p] += s0, c[p + 1] += s1, c[p + 2] += s2, c[p + 3] += s3;
  }
  for (; p < k; p++) {
    let s = 0;
    for (let i = 0, a = p; i < r; i++, a += k) s += A[a] * b[i];
    c[p] += s;
  }
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
