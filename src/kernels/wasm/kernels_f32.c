/*
 * float32 products of the opt-in "wasm-f32" backend (f32x4). The operands arrive as
 * float64 and are rounded to float32 into scratch (inside WebAssembly, SIMD demote);
 * the sums run in float32 and are added into the float64 output.
 * Built twice: plain multiply and add, and (RELAXED) with the relaxed-SIMD fused
 * multiply-add, used where the runtime validates it.
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

/* c[0..3] += (f64) s */
static inline void add4(f64 *c, v128_t s) {
  ST(c, wasm_f64x2_add(LD(c), wasm_f64x2_promote_low_f32x4(s)));
  ST(c + 2, wasm_f64x2_add(LD(c + 2), wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(s, s, 2, 3, 0, 1))));
}

/* C[x·cs + y] += Σ_t U[x·us + t·ut] · V[t·vs + y] in float32, for x < rows, y < cols. */
static void tile(int rows, int cols, int len, const f32 *U, int us, int ut, const f32 *V, int vs, f64 *C,
                 int cs) {
  int x = 0;
  for (; x + 4 <= rows; x += 4) {
    const f32 *u0 = U + x * us, *u1 = u0 + us, *u2 = u1 + us, *u3 = u2 + us;
    f64 *c0 = C + x * cs, *c1 = c0 + cs, *c2 = c1 + cs, *c3 = c2 + cs;
    int y = 0;
    for (; y + 8 <= cols; y += 8) {
      v128_t s00 = SPLAT(0), s01 = SPLAT(0), s10 = SPLAT(0), s11 = SPLAT(0);
      v128_t s20 = SPLAT(0), s21 = SPLAT(0), s30 = SPLAT(0), s31 = SPLAT(0);
      const f32 *v = V + y;
      for (int t = 0, o = 0; t < len; t++, o += ut, v += vs) {
        v128_t b0 = LD(v), b1 = LD(v + 4), w;
        w = SPLAT(u0[o]), s00 = MADD(s00, w, b0), s01 = MADD(s01, w, b1);
        w = SPLAT(u1[o]), s10 = MADD(s10, w, b0), s11 = MADD(s11, w, b1);
        w = SPLAT(u2[o]), s20 = MADD(s20, w, b0), s21 = MADD(s21, w, b1);
        w = SPLAT(u3[o]), s30 = MADD(s30, w, b0), s31 = MADD(s31, w, b1);
      }
      add4(c0 + y, s00), add4(c0 + y + 4, s01), add4(c1 + y, s10), add4(c1 + y + 4, s11);
      add4(c2 + y, s20), add4(c2 + y + 4, s21), add4(c3 + y, s30), add4(c3 + y + 4, s31);
    }
    for (; y + 4 <= cols; y += 4) {
      v128_t s0 = SPLAT(0), s1 = SPLAT(0), s2 = SPLAT(0), s3 = SPLAT(0);
      const f32 *v = V + y;
      for (int t = 0, o = 0; t < len; t++, o += ut, v += vs) {
        v128_t b0 = LD(v);
        s0 = MADD(s0, SPLAT(u0[o]), b0), s1 = MADD(s1, SPLAT(u1[o]), b0);
        s2 = MADD(s2, SPLAT(u2[o]), b0), s3 = MADD(s3, SPLAT(u3[o]), b0);
      }
      add4(c0 + y, s0), add4(c1 + y, s1), add4(c2 + y, s2), add4(c3 + y, s3);
    }
    for (; y < cols; y++) {
      f32 s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      const f32 *v = V + y;
      for (int t = 0, o = 0; t < len; t++, o += ut, v += vs) {
        f32 b0 = *v;
        s0 += u0[o] * b0, s1 += u1[o] * b0, s2 += u2[o] * b0, s3 += u3[o] * b0;
      }
      c0[y] += s0, c1[y] += s1, c2[y] += s2, c3[y] += s3;
    }
  }
  for (; x < rows; x++) {
    const f32 *u0 = U + x * us;
    f64 *c0 = C + x * cs;
    int y = 0;
    for (; y + 4 <= cols; y += 4) {
      v128_t s0 = SPLAT(0);
      const f32 *v = V + y;
      for (int t = 0, o = 0; t < len; t++, o += ut, v += vs) s0 = MADD(s0, SPLAT(u0[o]), LD(v));
      add4(c0 + y, s0);
    }
    for (; y < cols; y++) {
      f32 s0 = 0;
      const f32 *v = V + y;
      for (int t = 0, o = 0; t < len; t++, o += ut, v += vs) s0 += u0[o] * *v;
      c0[y] += s0;
    }
  }
}

/* dst[q] = (f32) src[q] for q < n */
static void demote(int n, const f64 *src, f32 *dst) {
  int q = 0;
  for (; q + 4 <= n; q += 4) {
    v128_t lo = wasm_f32x4_demote_f64x2_zero(LD(src + q)), hi = wasm_f32x4_demote_f64x2_zero(LD(src + q + 2));
    ST(dst + q, wasm_i32x4_shuffle(lo, hi, 0, 1, 4, 5));
  }
  for (; q < n; q++) dst[q] = (f32)src[q];
}

/* C[r×n] += A[r×k]·B[k×n]; scratch holds r·k + k·n floats */
EXPORT(gemm32) void gemm32(int r, int k, int n, const f64 *A, const f64 *B, f64 *C, f32 *scratch) {
  if (r < 1 || k < 1 || n < 1) return;
  f32 *a = scratch, *b = scratch + r * k;
  demote(r * k, A, a), demote(k * n, B, b);
  tile(r, n, k, a, k, 1, b, n, C, n);
}

/* C[k×n] += A[r×k]ᵀ·B[r×n]; scratch holds r·k + r·n floats */
EXPORT(gemmTN32) void gemmTN32(int r, int k, int n, const f64 *A, const f64 *B, f64 *C, f32 *scratch) {
  if (r < 1 || k < 1 || n < 1) return;
  f32 *a = scratch, *b = scratch + r * k;
  demote(r * k, A, a), demote(r * n, B, b);
  tile(k, n, r, a, 1, k, b, n, C, n);
}

/* C[r×k] += A[r×n]·B[k×n]ᵀ; scratch holds r·n + k·n floats (Bᵀ packed) */
EXPORT(gemmNT32) void gemmNT32(int r, int k, int n, const f64 *A, const f64 *B, f64 *C, f32 *scratch) {
  if (r < 1 || k < 1 || n < 1) return;
  f32 *a = scratch, *bt = scratch + r * n;
  demote(r * n, A, a);
  for (int p = 0; p < k; p++) {
    for (int j = 0; j < n; j++) bt[j * k + p] = (f32)B[p * n + j];
  }
  tile(r, k, n, a, n, 1, bt, k, C, k);
}
