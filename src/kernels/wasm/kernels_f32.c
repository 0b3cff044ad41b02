/*
 * float32 products of the opt-in "wasm-f32" backend (f32x4). The operands arrive as
 * float64 and are rounded to float32 into scratch (inside WebAssembly, SIMD demote),
 * already laid out for the loop below; the sums run in float32 and are added into the
 * float64 output. Built twice: plain multiply and add, and (RELAXED) with the
 * relaxed-SIMD fused multiply-add, used where the runtime validates it.
 *
 * The loop nest is the float64 one's (kernels_f64.c): C[x·cs + y] += Σ_t U[t·su + x] · V[t·sv + y]
 * with both operands contiguous along C's axes. A block of 4 rows × 8 columns keeps its 32
 * sums in eight f32x4 accumulators: per t, one load of U (rows x0..x3) and its three lane
 * rotations, two loads of V (8 columns); lane i of the accumulator of rotation r holds
 * (x_{(i+r) mod 4}, y_i), and the block is turned back into rows once, at its end.
 *
 * Build: deno task build:wasm (tools/build_wasm.ts).
 */
#include <wasm_simd128.h>
#define EXPORT(name) __attribute__((export_name(#name)))
typedef double f64;
typedef float f32;
#define LD(p) wasm_v128_load(p)
#define ST(p, v) wasm_v128_store(p, v)
#define SPLAT(x) wasm_f32x4_splat(x)
#ifdef RELAXED
/* clang 14 emits the relaxed-SIMD prototype opcode; the build script renumbers it to relaxed_madd (a·b + c) */
#define MADD(acc, a, b) __builtin_wasm_fma_f32x4(a, b, acc)
#else
#define MADD(acc, a, b) wasm_f32x4_add(acc, wasm_f32x4_mul(a, b))
#endif
#define ROT1(u) wasm_i32x4_shuffle(u, u, 1, 2, 3, 0)
#define ROT2(u) wasm_i32x4_shuffle(u, u, 2, 3, 0, 1)
#define ROT3(u) wasm_i32x4_shuffle(u, u, 3, 0, 1, 2)

/* c[0..3] += (f64) s */
static inline void add4(f64 *c, v128_t s) {
  ST(c, wasm_f64x2_add(LD(c), wasm_f64x2_promote_low_f32x4(s)));
  ST(c + 2, wasm_f64x2_add(LD(c + 2), wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(s, s, 2, 3, 0, 1))));
}

/* lane i of s_r holds (row (i + r) % 4, column i); row a takes lane i of s_{(a − i) % 4} */
static inline void add4x4(v128_t s0, v128_t s1, v128_t s2, v128_t s3, f64 *c0, int cs) {
  v128_t n = wasm_i32x4_shuffle(s0, s3, 0, 5, 2, 7), n2 = wasm_i32x4_shuffle(s2, s1, 0, 5, 2, 7);
  v128_t k = wasm_i32x4_shuffle(s1, s0, 0, 5, 2, 7), k2 = wasm_i32x4_shuffle(s3, s2, 0, 5, 2, 7);
  add4(c0, wasm_i32x4_shuffle(n, n2, 0, 1, 6, 7));
  add4(c0 + cs, wasm_i32x4_shuffle(k, k2, 0, 1, 6, 7));
  add4(c0 + 2 * cs, wasm_i32x4_shuffle(n2, n, 0, 1, 6, 7));
  add4(c0 + 3 * cs, wasm_i32x4_shuffle(k2, k, 0, 1, 6, 7));
}

/* 4 rows: C[i, y] += Σ_t u[t·su + i] · V[t·sv + y] */
static void block4(int cols, int len, const f32 *u0, int su, const f32 *V, int sv, f64 *c0, int cs) {
  int y = 0;
  for (; y + 8 <= cols; y += 8) {
    v128_t s00 = SPLAT(0), s10 = SPLAT(0), s20 = SPLAT(0), s30 = SPLAT(0);
    v128_t s01 = SPLAT(0), s11 = SPLAT(0), s21 = SPLAT(0), s31 = SPLAT(0);
    const f32 *v = V + y, *u = u0;
    for (int t = 0; t < len; t++, v += sv, u += su) {
      v128_t b0 = LD(v), b1 = LD(v + 4), p = LD(u), w;
      s00 = MADD(s00, p, b0), s01 = MADD(s01, p, b1);
      w = ROT1(p), s10 = MADD(s10, w, b0), s11 = MADD(s11, w, b1);
      w = ROT2(p), s20 = MADD(s20, w, b0), s21 = MADD(s21, w, b1);
      w = ROT3(p), s30 = MADD(s30, w, b0), s31 = MADD(s31, w, b1);
    }
    add4x4(s00, s10, s20, s30, c0 + y, cs);
    add4x4(s01, s11, s21, s31, c0 + y + 4, cs);
  }
  for (; y + 4 <= cols; y += 4) {
    v128_t s0 = SPLAT(0), s1 = SPLAT(0), s2 = SPLAT(0), s3 = SPLAT(0);
    const f32 *v = V + y, *u = u0;
    for (int t = 0; t < len; t++, v += sv, u += su) {
      v128_t b0 = LD(v), p = LD(u);
      s0 = MADD(s0, p, b0), s1 = MADD(s1, ROT1(p), b0), s2 = MADD(s2, ROT2(p), b0), s3 = MADD(s3, ROT3(p), b0);
    }
    add4x4(s0, s1, s2, s3, c0 + y, cs);
  }
  for (; y < cols; y++) {
    f32 s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    const f32 *v = V + y, *u = u0;
    for (int t = 0; t < len; t++, v += sv, u += su) {
      f32 b = *v;
      s0 += u[0] * b, s1 += u[1] * b, s2 += u[2] * b, s3 += u[3] * b;
    }
    c0[y] += s0, c0[cs + y] += s1, c0[2 * cs + y] += s2, c0[3 * cs + y] += s3;
  }
}

/* one row: C[y] += Σ_t U[t·ut] · V[t·sv + y] */
static void row1(int cols, int len, const f32 *U, int ut, const f32 *V, int sv, f64 *c0) {
  int y = 0;
  for (; y + 4 <= cols; y += 4) {
    v128_t s0 = SPLAT(0);
    const f32 *v = V + y, *u = U;
    for (int t = 0; t < len; t++, v += sv, u += ut) s0 = MADD(s0, SPLAT(*u), LD(v));
    add4(c0 + y, s0);
  }
  for (; y < cols; y++) {
    f32 s0 = 0;
    const f32 *v = V + y, *u = U;
    for (int t = 0; t < len; t++, v += sv, u += ut) s0 += *u * *v;
    c0[y] += s0;
  }
}

/* (f32) of four f64 */
static inline v128_t demote4(const f64 *p) {
  v128_t lo = wasm_f32x4_demote_f64x2_zero(LD(p)), hi = wasm_f32x4_demote_f64x2_zero(LD(p + 2));
  return wasm_i32x4_shuffle(lo, hi, 0, 1, 4, 5);
}

/* dst[q] = (f32) src[q] */
static void demote(int n, const f64 *src, f32 *dst) {
  int q = 0;
  for (; q + 4 <= n; q += 4) ST(dst + q, demote4(src + q));
  for (; q < n; q++) dst[q] = (f32)src[q];
}

/* the 4×4 transpose of rows a, b, c, d, stored as rows of dst (stride ds) */
static inline void transpose4(v128_t a, v128_t b, v128_t c, v128_t d, f32 *dst, int ds) {
  v128_t ab0 = wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), ab1 = wasm_i32x4_shuffle(a, b, 2, 6, 3, 7);
  v128_t cd0 = wasm_i32x4_shuffle(c, d, 0, 4, 1, 5), cd1 = wasm_i32x4_shuffle(c, d, 2, 6, 3, 7);
  ST(dst, wasm_i64x2_shuffle(ab0, cd0, 0, 2)), ST(dst + ds, wasm_i64x2_shuffle(ab0, cd0, 1, 3));
  ST(dst + 2 * ds, wasm_i64x2_shuffle(ab1, cd1, 0, 2)), ST(dst + 3 * ds, wasm_i64x2_shuffle(ab1, cd1, 1, 3));
}

/* dst[c·rows + r] = (f32) src[r·cols + c]: the transpose, rounded to float32 */
static void transpose(int rows, int cols, const f64 *src, f32 *dst) {
  int r = 0;
  for (; r + 4 <= rows; r += 4) {
    const f64 *s = src + r * cols;
    int c = 0;
    for (; c + 4 <= cols; c += 4) {
      transpose4(demote4(s + c), demote4(s + cols + c), demote4(s + 2 * cols + c), demote4(s + 3 * cols + c),
                 dst + c * rows + r, rows);
    }
    for (; c < cols; c++) {
      for (int i = 0; i < 4; i++) dst[c * rows + r + i] = (f32)s[i * cols + c];
    }
  }
  for (; r < rows; r++) {
    for (int c = 0; c < cols; c++) dst[c * rows + r] = (f32)src[r * cols + c];
  }
}

/* panel[4t + i] = (f32) src[i·ss + t] for i < 4, t < len: four rows, interleaved per t */
static void pack4(int len, const f64 *src, int ss, f32 *panel) {
  const f64 *s0 = src, *s1 = s0 + ss, *s2 = s1 + ss, *s3 = s2 + ss;
  int t = 0;
  for (; t + 4 <= len; t += 4, panel += 16) {
    transpose4(demote4(s0 + t), demote4(s1 + t), demote4(s2 + t), demote4(s3 + t), panel, 4);
  }
  for (; t < len; t++, panel += 4) {
    panel[0] = (f32)s0[t], panel[1] = (f32)s1[t], panel[2] = (f32)s2[t], panel[3] = (f32)s3[t];
  }
}

/* C[x·cs + y] += Σ_t A[x·as + t] · V[t·sv + y]: A's rows (float64, contiguous in t) packed per four */
static void tileRows(int rows, int cols, int len, const f64 *A, int as, const f32 *V, int sv, f64 *C, int cs,
                     f32 *panel) {
  int x = 0;
  for (; x + 4 <= rows; x += 4) {
    pack4(len, A + x * as, as, panel);
    block4(cols, len, panel, 4, V, sv, C + x * cs, cs);
  }
  for (; x < rows; x++) {
    demote(len, A + x * as, panel);
    row1(cols, len, panel, 1, V, sv, C + x * cs);
  }
}

EXPORT(gemm32) void gemm32(int r, int k, int n, const f64 *A, const f64 *B, f64 *C, f32 *scratch) {
  if (r < 1 || k < 1 || n < 1) return;
  f32 *b = scratch, *panel = scratch + k * n;
  demote(k * n, B, b);
  tileRows(r, n, k, A, k, b, n, C, n, panel);
}
EXPORT(gemmTN32) void gemmTN32(int r, int k, int n, const f64 *A, const f64 *B, f64 *C, f32 *scratch) {
  if (r < 1 || k < 1 || n < 1) return;
  f32 *a = scratch, *b = scratch + r * k;
  demote(r * k, A, a), demote(r * n, B, b);
  int x = 0;
  for (; x + 4 <= k; x += 4) block4(n, r, a + x, k, b, n, C + x * n, n);
  for (; x < k; x++) row1(n, r, a + x, k, b, n, C + x * n);
}
EXPORT(gemmNT32) void gemmNT32(int r, int k, int n, const f64 *A, const f64 *B, f64 *C, f32 *scratch) {
  if (r < 1 || k < 1 || n < 1) return;
  f32 *bt = scratch, *panel = scratch + k * n;
  transpose(k, n, B, bt);
  tileRows(r, k, n, A, n, bt, k, C, k, panel);
}
