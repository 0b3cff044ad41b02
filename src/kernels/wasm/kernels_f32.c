/*
 * The kernels of the opt-in "wasm-f32" backend that differ from the float64 ones: the three
 * products in float32 (f32x4), and tanh, sigmoid and softmax in float64 by polynomials (at
 * the end of this file). The products' operands arrive as float64 and are rounded to
 * float32 into scratch (inside WebAssembly, SIMD demote), already laid out for the loop
 * below; the sums run in float32 and are added into the float64 output. Built twice: plain
 * multiply and add, and (RELAXED) with the relaxed-SIMD fused multiply-add, used where the
 * runtime validates it.
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

/*
 * Element-wise functions in float64, by polynomials (not Math.tanh / Math.exp / Math.log, so not
 * bit-identical to the reference: within a few units in the last place of float64, far inside the
 * float32 products' error). ln 2 is split so that k·LN2_HI is exact for |k| < 2²¹. Integers k are
 * rounded and read with the 1.5·2⁵² trick (no float-to-integer conversion, which V8 scalarizes).
 */
#define ADD wasm_f64x2_add
#define SUB wasm_f64x2_sub
#define MUL wasm_f64x2_mul
#define DIV wasm_f64x2_div
static const f64 LN2_HI = 0x1.62e42fee00000p-1, LN2_LO = 0x1.a39ef35793c76p-33, INV_LN2 = 0x1.71547652b82fep+0;

/* the constants as vectors, kept in registers across a loop (the empty asm hides their values from clang) */
typedef struct {
  v128_t c13, c12, c11, c10, c9, c8, c7, c6, c5, c4, c3, c2, invLn2, ln2Hi, ln2Lo, magic, one, two;
} Consts;
#define HIDE(v) __asm__("" : "+r"(v))
static inline Consts consts(void) {
  Consts k = {
    wasm_f64x2_splat(1.0 / 6227020800.0), wasm_f64x2_splat(1.0 / 479001600.0), wasm_f64x2_splat(1.0 / 39916800.0),
    wasm_f64x2_splat(1.0 / 3628800.0), wasm_f64x2_splat(1.0 / 362880.0), wasm_f64x2_splat(1.0 / 40320.0),
    wasm_f64x2_splat(1.0 / 5040.0), wasm_f64x2_splat(1.0 / 720.0), wasm_f64x2_splat(1.0 / 120.0),
    wasm_f64x2_splat(1.0 / 24.0), wasm_f64x2_splat(1.0 / 6.0), wasm_f64x2_splat(0.5),
    wasm_f64x2_splat(INV_LN2), wasm_f64x2_splat(LN2_HI), wasm_f64x2_splat(LN2_LO), wasm_f64x2_splat(0x1.8p52),
    wasm_f64x2_splat(1.0), wasm_f64x2_splat(2.0),
  };
  HIDE(k.c13); HIDE(k.c12); HIDE(k.c11); HIDE(k.c10); HIDE(k.c9); HIDE(k.c8); HIDE(k.c7); HIDE(k.c6);
  HIDE(k.c5); HIDE(k.c4); HIDE(k.c3); HIDE(k.c2); HIDE(k.invLn2); HIDE(k.ln2Hi); HIDE(k.ln2Lo); HIDE(k.magic);
  HIDE(k.one); HIDE(k.two);
  return k;
}

/*
 * e^r − 1 for |r| ≤ ln2/2 (+ rounding): the Taylor series to r¹³ (remainder < 2⁻⁵⁵ relative),
 * r + r²·q(r) with q by Estrin's scheme (pairs, then powers r², r⁴, r⁸): a short dependency chain.
 */
static inline v128_t expm1Small(const Consts *k, v128_t r) {
  v128_t r2 = MUL(r, r), r4 = MUL(r2, r2), r8 = MUL(r4, r4);
  v128_t p0 = ADD(k->c2, MUL(k->c3, r)), p1 = ADD(k->c4, MUL(k->c5, r)), p2 = ADD(k->c6, MUL(k->c7, r));
  v128_t p3 = ADD(k->c8, MUL(k->c9, r)), p4 = ADD(k->c10, MUL(k->c11, r)), p5 = ADD(k->c12, MUL(k->c13, r));
  v128_t q0 = ADD(p0, MUL(p1, r2)), q1 = ADD(p2, MUL(p3, r2)), q2 = ADD(p4, MUL(p5, r2));
  v128_t q = ADD(ADD(q0, MUL(q1, r4)), MUL(q2, r8));
  return ADD(r, MUL(r2, q));
}

/* 2^n from n + 1.5·2⁵² (n integral in [−1022, 1023]): n sits in the low bits, 1023 + n is the exponent */
static inline v128_t pow2(v128_t nMagic) {
  return wasm_i64x2_shl(wasm_i64x2_add(nMagic, wasm_i64x2_splat(1023)), 52);
}

/* r = x − n·ln2 with n = nearest(x / ln2), |r| ≤ ln2/2 (+ rounding); *nMagic = n + 1.5·2⁵² */
static inline v128_t reduce(const Consts *k, v128_t x, v128_t *nMagic) {
  *nMagic = ADD(MUL(x, k->invLn2), k->magic);
  v128_t n = SUB(*nMagic, k->magic);
  return SUB(SUB(x, MUL(n, k->ln2Hi)), MUL(n, k->ln2Lo));
}

/* e^x over the whole range: 0 below −745.2, ∞ above 709.8, NaN stays NaN; 2^n applied in two halves */
static inline v128_t expV(const Consts *k, v128_t x) {
  x = wasm_f64x2_pmin(wasm_f64x2_pmax(x, wasm_f64x2_splat(-746)), wasm_f64x2_splat(710));
  v128_t nMagic, r = reduce(k, x, &nMagic);
  v128_t n = SUB(nMagic, k->magic), half = ADD(wasm_f64x2_floor(MUL(n, k->c2)), k->magic);
  v128_t rest = ADD(SUB(n, SUB(half, k->magic)), k->magic);
  return MUL(MUL(ADD(k->one, expm1Small(k, r)), pow2(half)), pow2(rest));
}

/* tanh(x) = t / (t + 2) for |x| < 0.625, else 1 − 2 / (t + 2), with t = e^{2|x|} − 1, and x's sign */
static inline v128_t tanhV(const Consts *k, v128_t x) {
  v128_t a = wasm_f64x2_abs(x);
  v128_t y = wasm_f64x2_pmin(ADD(a, a), wasm_f64x2_splat(40)); /* tanh(20) rounds to 1 */
  v128_t nMagic, r = reduce(k, y, &nMagic), s = pow2(nMagic);
  v128_t t = ADD(MUL(s, expm1Small(k, r)), SUB(s, k->one));
  v128_t small = wasm_f64x2_lt(a, wasm_f64x2_splat(0.625));
  v128_t q = DIV(wasm_v128_bitselect(t, k->two, small), ADD(t, k->two));
  v128_t h = wasm_v128_bitselect(q, SUB(k->one, q), small);
  return wasm_v128_or(h, wasm_v128_and(x, wasm_f64x2_splat(-0.0)));
}

/* log x, scalar: x = 2^e·m with m in [√½, √2), log m = 2·atanh(s), s = (m − 1)/(m + 1), series to s²³ */
static f64 logS(f64 x) {
  if (!(x > 0)) return x == 0 ? -__builtin_inf() : __builtin_nan("");
  if (x == __builtin_inf()) return x;
  int e = 0;
  if (x < 0x1p-1022) x *= 0x1p54, e = -54;
  unsigned long long bits = __builtin_bit_cast(unsigned long long, x);
  e += (int)(bits >> 52) - 1023;
  f64 m = __builtin_bit_cast(f64, (bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
  if (m > 0x1.6a09e667f3bcdp+0) m *= 0.5, e += 1;
  f64 f = m - 1, s = f / (2 + f), z = s * s;
  f64 q = 1.0 / 23;
  q = q * z + 1.0 / 21, q = q * z + 1.0 / 19, q = q * z + 1.0 / 17, q = q * z + 1.0 / 15;
  q = q * z + 1.0 / 13, q = q * z + 1.0 / 11, q = q * z + 1.0 / 9, q = q * z + 1.0 / 7;
  q = q * z + 1.0 / 5, q = q * z + 1.0 / 3;
  f64 logm = 2 * s + 2 * s * (z * q);
  return e * LN2_HI + (e * LN2_LO + logm);
}

/* out = tanh(z), n values */
EXPORT(tanhApprox) void tanhApprox(int n, const f64 *z, f64 *out) {
  Consts k = consts();
  int q = 0;
  for (; q + 2 <= n; q += 2) ST(out + q, tanhV(&k, LD(z + q)));
  if (q < n) out[q] = wasm_f64x2_extract_lane(tanhV(&k, wasm_f64x2_splat(z[q])), 0);
}

/* out = 1 / (1 + e^−z), n values */
EXPORT(sigmoidApprox) void sigmoidApprox(int n, const f64 *z, f64 *out) {
  Consts k = consts();
  int q = 0;
  for (; q + 2 <= n; q += 2) ST(out + q, DIV(k.one, ADD(k.one, expV(&k, wasm_f64x2_neg(LD(z + q))))));
  if (q < n) out[q] = wasm_f64x2_extract_lane(DIV(k.one, ADD(k.one, expV(&k, wasm_f64x2_splat(-z[q])))), 0);
}

/*
 * Softmax per column of the r×m z, as the reference but for e^x and log: the column's maximum
 * (NaN never taken), e = e^{z − max}, the sum from 0 in order of rows, yHat = e·(1/sum) and
 * logNorm = max + log sum. `work` holds 2·m values.
 */
EXPORT(softmaxColumnsApprox) void softmaxColumnsApprox(int r, int m, const f64 *z, f64 *yHat, f64 *logNorm,
                                                        f64 *work) {
  Consts k = consts();
  f64 *mx = work, *sum = work + m;
  int j;
  for (j = 0; j < m; j++) mx[j] = -__builtin_inf(), sum[j] = 0;
  for (int i = 0; i < r; i++) {
    const f64 *zi = z + i * m;
    for (j = 0; j + 2 <= m; j += 2) {
      v128_t v = LD(zi + j), w = LD(mx + j);
      ST(mx + j, wasm_v128_bitselect(v, w, wasm_f64x2_gt(v, w)));
    }
    if (j < m && zi[j] > mx[j]) mx[j] = zi[j];
  }
  for (int i = 0; i < r; i++) {
    const f64 *zi = z + i * m;
    f64 *yi = yHat + i * m;
    for (j = 0; j + 2 <= m; j += 2) {
      v128_t e = expV(&k, SUB(LD(zi + j), LD(mx + j)));
      ST(yi + j, e), ST(sum + j, ADD(LD(sum + j), e));
    }
    if (j < m) {
      f64 e = wasm_f64x2_extract_lane(expV(&k, wasm_f64x2_splat(zi[j] - mx[j])), 0);
      yi[j] = e, sum[j] += e;
    }
  }
  for (j = 0; j < m; j++) {
    logNorm[j] = mx[j] + logS(sum[j]);
    sum[j] = 1 / sum[j];
  }
  for (int i = 0; i < r; i++) {
    f64 *yi = yHat + i * m;
    for (j = 0; j + 2 <= m; j += 2) ST(yi + j, MUL(LD(yi + j), LD(sum + j)));
    if (j < m) yi[j] *= sum[j];
  }
}
