/*
 * float64 kernels of the "wasm-f64" backend: WebAssembly SIMD (f64x2), plain
 * multiply and add (no fused multiply-add), so results are the same on every
 * machine. Every sum runs in the same order as the "js" reference backend
 * (src/kernels/js_backend.ts), so results are bit-identical to it:
 * - products: C[x, y] += (0 + U[x,0]·V[0,y] + U[x,1]·V[1,y] + ...), each lane one (x, y);
 * - Aᵀ·b (one column): c[p] += (A0·b0 + A1·b1) + (A2·b2 + A3·b3) per four rows;
 * - element-wise kernels and optimizer updates: the reference's expressions.
 * tanh, sigmoid and softmax stay in JavaScript (Math.tanh, Math.exp, Math.log).
 *
 * Pointers are byte offsets into the one imported shared memory.
 * Build: deno task build:wasm (tools/build_wasm.ts).
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))
typedef double f64;

#define LD(p) wasm_v128_load(p)
#define ST(p, v) wasm_v128_store(p, v)
#define MADD(acc, a, b) wasm_f64x2_add(acc, wasm_f64x2_mul(a, b))
#define SPLAT(x) wasm_f64x2_splat(x)
#define SWAP(v) wasm_i64x2_shuffle(v, v, 1, 0)
#define LOS(a, b) wasm_i64x2_shuffle(a, b, 0, 2)
#define HIS(a, b) wasm_i64x2_shuffle(a, b, 1, 3)
#define ACC(c, s) ST(c, wasm_f64x2_add(LD(c), s))

/*
 * The matrix products reduce to one loop nest, C[x·cs + y] += Σ_t U[t·su + x] · V[t·sv + y], with both
 * operands contiguous along the output's axes (x, y) at each step t. Blocks of 4 rows × 4 columns hold
 * their sixteen sums in eight f64x2 accumulators: per t, two loads of U (rows x0..x3), two of V
 * (columns y0..y3) and V's halves swapped (y1, y0), (y3, y2), so that the eight products u·v cover all
 * sixteen (x, y) pairs with no broadcast: a0 holds (x0·y0, x1·y1), b0 (x0·y1, x1·y0), and so on.
 * Each lane is one output element summed from 0 in order of t, as in the reference.
 *
 * Why this shape: V8 bounds-checks every WebAssembly load (a compare and a branch) and keeps 15 vector
 * registers; 8 accumulators + 4 operands + 1 temporary fit, and 4 loads + 2 shuffles per 8 multiply-adds
 * cost less than broadcasting each U value from memory (6 loads per 8).
 */

/* the four rows x0..x3 of a block: C[i·cs + y] += Σ_t U[t·su + i] · V[t·sv + y], i < 4, y < cols */
static void rows4(int cols, int len, const f64 *U, int su, const f64 *V, int sv, f64 *C, int cs) {
  f64 *c0 = C, *c1 = c0 + cs, *c2 = c1 + cs, *c3 = c2 + cs;
  int y = 0;
  for (; y + 4 <= cols; y += 4) {
    v128_t a0 = SPLAT(0), b0 = SPLAT(0), a1 = SPLAT(0), b1 = SPLAT(0);
    v128_t e0 = SPLAT(0), d0 = SPLAT(0), e1 = SPLAT(0), d1 = SPLAT(0);
    const f64 *u = U, *v = V + y;
    for (int t = 0; t < len; t++, u += su, v += sv) {
      v128_t p = LD(u), q = LD(u + 2);
      v128_t v01 = LD(v), v10 = SWAP(v01);
      a0 = MADD(a0, p, v01), b0 = MADD(b0, p, v10), e0 = MADD(e0, q, v01), d0 = MADD(d0, q, v10);
      v128_t v23 = LD(v + 2), v32 = SWAP(v23);
      a1 = MADD(a1, p, v23), b1 = MADD(b1, p, v32), e1 = MADD(e1, q, v23), d1 = MADD(d1, q, v32);
    }
    /* row x0 = (x0·y0, x0·y1) = (a0[0], b0[0]); row x1 = (x1·y0, x1·y1) = (b0[1], a0[1]) */
    ACC(c0 + y, LOS(a0, b0)), ACC(c1 + y, HIS(b0, a0)), ACC(c0 + y + 2, LOS(a1, b1)), ACC(c1 + y + 2, HIS(b1, a1));
    ACC(c2 + y, LOS(e0, d0)), ACC(c3 + y, HIS(d0, e0)), ACC(c2 + y + 2, LOS(e1, d1)), ACC(c3 + y + 2, HIS(d1, e1));
  }
  if (y + 2 <= cols) {
    v128_t a0 = SPLAT(0), b0 = SPLAT(0), e0 = SPLAT(0), d0 = SPLAT(0);
    const f64 *u = U, *v = V + y;
    for (int t = 0; t < len; t++, u += su, v += sv) {
      v128_t p = LD(u), q = LD(u + 2), v01 = LD(v), v10 = SWAP(v01);
      a0 = MADD(a0, p, v01), b0 = MADD(b0, p, v10), e0 = MADD(e0, q, v01), d0 = MADD(d0, q, v10);
    }
    ACC(c0 + y, LOS(a0, b0)), ACC(c1 + y, HIS(b0, a0)), ACC(c2 + y, LOS(e0, d0)), ACC(c3 + y, HIS(d0, e0));
    y += 2;
  }
  if (y < cols) {
    f64 s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    const f64 *u = U, *v = V + y;
    for (int t = 0; t < len; t++, u += su, v += sv) {
      f64 b = *v;
      s0 += u[0] * b, s1 += u[1] * b, s2 += u[2] * b, s3 += u[3] * b;
    }
    c0[y] += s0, c1[y] += s1, c2[y] += s2, c3[y] += s3;
  }
}

/* one row: C[y] += Σ_t U[t·ut] · V[t·sv + y], y < cols */
static void row1(int cols, int len, const f64 *U, int ut, const f64 *V, int sv, f64 *C) {
  int y = 0;
  for (; y + 2 <= cols; y += 2) {
    v128_t s = SPLAT(0);
    const f64 *u = U, *v = V + y;
    for (int t = 0; t < len; t++, u += ut, v += sv) s = MADD(s, SPLAT(*u), LD(v));
    ACC(C + y, s);
  }
  if (y < cols) {
    f64 s = 0;
    const f64 *u = U, *v = V + y;
    for (int t = 0; t < len; t++, u += ut, v += sv) s += *u * *v;
    C[y] += s;
  }
}

/* panel[4t + i] = src[i·ss + t] for i < 4, t < len: four rows, interleaved per t */
static void pack4(int len, const f64 *src, int ss, f64 *panel) {
  const f64 *s0 = src, *s1 = s0 + ss, *s2 = s1 + ss, *s3 = s2 + ss;
  int t = 0;
  for (; t + 2 <= len; t += 2, panel += 8) {
    v128_t a = LD(s0 + t), b = LD(s1 + t), c = LD(s2 + t), d = LD(s3 + t);
    ST(panel, LOS(a, b)), ST(panel + 2, LOS(c, d)), ST(panel + 4, HIS(a, b)), ST(panel + 6, HIS(c, d));
  }
  if (t < len) panel[0] = s0[t], panel[1] = s1[t], panel[2] = s2[t], panel[3] = s3[t];
}

/* C[x·cs + y] += Σ_t A[x·as + t] · V[t·sv + y]: A's rows are contiguous in t, packed four at a time */
static void tileRows(int rows, int cols, int len, const f64 *A, int as, const f64 *V, int sv, f64 *C, int cs,
                     f64 *panel) {
  int x = 0;
  for (; x + 4 <= rows; x += 4) {
    pack4(len, A + x * as, as, panel);
    rows4(cols, len, panel, 4, V, sv, C + x * cs, cs);
  }
  for (; x < rows; x++) row1(cols, len, A + x * as, 1, V, sv, C + x * cs);
}

/* dst[c·rows + r] = src[r·cols + c]: the transpose, written row by row */
static void transpose(int rows, int cols, const f64 *src, f64 *dst) {
  int c = 0;
  for (; c + 2 <= cols; c += 2) {
    f64 *d0 = dst + c * rows, *d1 = d0 + rows;
    const f64 *s = src + c;
    int r = 0;
    for (; r + 2 <= rows; r += 2, s += 2 * cols) {
      v128_t a = LD(s), b = LD(s + cols);
      ST(d0 + r, LOS(a, b)), ST(d1 + r, HIS(a, b));
    }
    if (r < rows) d0[r] = s[0], d1[r] = s[1];
  }
  if (c < cols) {
    for (int r = 0; r < rows; r++) dst[c * rows + r] = src[r * cols + c];
  }
}

/* (a[p], b[p]) as one vector */
#define PAIR(a, b, p) wasm_f64x2_replace_lane(SPLAT((a)[p]), 1, (b)[p])

/* c[r] += A[r×k]·b[k]: two rows per vector, each lane summing its row in order of p. */
static void matvec(int r, int k, const f64 *A, const f64 *b, f64 *c) {
  int i = 0;
  for (; i + 8 <= r; i += 8) {
    const f64 *a0 = A + i * k, *a1 = a0 + k, *a2 = a1 + k, *a3 = a2 + k;
    const f64 *a4 = a3 + k, *a5 = a4 + k, *a6 = a5 + k, *a7 = a6 + k;
    v128_t s01 = SPLAT(0), s23 = SPLAT(0), s45 = SPLAT(0), s67 = SPLAT(0);
    int p = 0;
    for (; p + 2 <= k; p += 2) {
      v128_t bb = LD(b + p);
      v128_t lo = wasm_i64x2_shuffle(bb, bb, 0, 0), hi = wasm_i64x2_shuffle(bb, bb, 1, 1);
      v128_t x0 = LD(a0 + p), x1 = LD(a1 + p), x2 = LD(a2 + p), x3 = LD(a3 + p);
      v128_t x4 = LD(a4 + p), x5 = LD(a5 + p), x6 = LD(a6 + p), x7 = LD(a7 + p);
      s01 = MADD(s01, wasm_i64x2_shuffle(x0, x1, 0, 2), lo);
      s23 = MADD(s23, wasm_i64x2_shuffle(x2, x3, 0, 2), lo);
      s45 = MADD(s45, wasm_i64x2_shuffle(x4, x5, 0, 2), lo);
      s67 = MADD(s67, wasm_i64x2_shuffle(x6, x7, 0, 2), lo);
      s01 = MADD(s01, wasm_i64x2_shuffle(x0, x1, 1, 3), hi);
      s23 = MADD(s23, wasm_i64x2_shuffle(x2, x3, 1, 3), hi);
      s45 = MADD(s45, wasm_i64x2_shuffle(x4, x5, 1, 3), hi);
      s67 = MADD(s67, wasm_i64x2_shuffle(x6, x7, 1, 3), hi);
    }
    if (p < k) {
      v128_t bp = SPLAT(b[p]);
      s01 = MADD(s01, PAIR(a0, a1, p), bp), s23 = MADD(s23, PAIR(a2, a3, p), bp);
      s45 = MADD(s45, PAIR(a4, a5, p), bp), s67 = MADD(s67, PAIR(a6, a7, p), bp);
    }
    ST(c + i, wasm_f64x2_add(LD(c + i), s01)), ST(c + i + 2, wasm_f64x2_add(LD(c + i + 2), s23));
    ST(c + i + 4, wasm_f64x2_add(LD(c + i + 4), s45)), ST(c + i + 6, wasm_f64x2_add(LD(c + i + 6), s67));
  }
  for (; i + 2 <= r; i += 2) {
    const f64 *a0 = A + i * k, *a1 = a0 + k;
    v128_t s01 = SPLAT(0);
    for (int p = 0; p < k; p++) s01 = MADD(s01, PAIR(a0, a1, p), SPLAT(b[p]));
    ST(c + i, wasm_f64x2_add(LD(c + i), s01));
  }
  if (i < r) {
    const f64 *a0 = A + i * k;
    f64 s = 0;
    for (int p = 0; p < k; p++) s += a0[p] * b[p];
    c[i] += s;
  }
}

/* c[k] += A[r×k]ᵀ·b[r]: per four rows c[p] += (A0[p]·b0 + A1[p]·b1) + (A2[p]·b2 + A3[p]·b3). */
static void matvecT(int r, int k, const f64 *A, const f64 *b, f64 *c) {
  int i = 0;
  for (; i + 4 <= r; i += 4) {
    const f64 *a0 = A + i * k, *a1 = a0 + k, *a2 = a1 + k, *a3 = a2 + k;
    f64 b0 = b[i], b1 = b[i + 1], b2 = b[i + 2], b3 = b[i + 3];
    v128_t v0 = SPLAT(b0), v1 = SPLAT(b1), v2 = SPLAT(b2), v3 = SPLAT(b3);
    int p = 0;
    for (; p + 2 <= k; p += 2) {
      v128_t lo = wasm_f64x2_add(wasm_f64x2_mul(LD(a0 + p), v0), wasm_f64x2_mul(LD(a1 + p), v1));
      v128_t hi = wasm_f64x2_add(wasm_f64x2_mul(LD(a2 + p), v2), wasm_f64x2_mul(LD(a3 + p), v3));
      ST(c + p, wasm_f64x2_add(LD(c + p), wasm_f64x2_add(lo, hi)));
    }
    if (p < k) c[p] += (a0[p] * b0 + a1[p] * b1) + (a2[p] * b2 + a3[p] * b3);
  }
  for (; i < r; i++) {
    const f64 *a0 = A + i * k;
    f64 bi = b[i];
    v128_t v0 = SPLAT(bi);
    int p = 0;
    for (; p + 2 <= k; p += 2) ST(c + p, MADD(LD(c + p), LD(a0 + p), v0));
    if (p < k) c[p] += a0[p] * bi;
  }
}

/* C[r×k] += a[r]·b[k]ᵀ */
static void outer(int r, int k, const f64 *a, const f64 *b, f64 *C) {
  for (int i = 0; i < r; i++) {
    f64 *ci = C + i * k;
    f64 ai = a[i];
    v128_t v = SPLAT(ai);
    int p = 0;
    for (; p + 2 <= k; p += 2) ST(ci + p, MADD(LD(ci + p), v, LD(b + p)));
    if (p < k) ci[p] += ai * b[p];
  }
}

/* C[r×n] += A[r×k]·B[k×n]; `scratch` holds 4·k values (a panel of four rows of A) */
EXPORT(gemm) void gemm(int r, int k, int n, const f64 *A, const f64 *B, f64 *C, f64 *scratch) {
  if (r < 1 || k < 1 || n < 1) return;
  if (n == 1) matvec(r, k, A, B, C);
  else tileRows(r, n, k, A, k, B, n, C, n, scratch);
}

/* C[k×n] += A[r×k]ᵀ·B[r×n]: A's rows are already contiguous along C's rows */
EXPORT(gemmTN) void gemmTN(int r, int k, int n, const f64 *A, const f64 *B, f64 *C) {
  if (r < 1 || k < 1 || n < 1) return;
  if (n == 1) {
    matvecT(r, k, A, B, C);
    return;
  }
  int x = 0;
  for (; x + 4 <= k; x += 4) rows4(n, r, A + x, k, B, n, C + x * n, n);
  for (; x < k; x++) row1(n, r, A + x, k, B, n, C + x * n);
}

/* C[r×k] += A[r×n]·B[k×n]ᵀ; `scratch` holds k·n + 4·n values (Bᵀ, and a panel of four rows of A) */
EXPORT(gemmNT) void gemmNT(int r, int k, int n, const f64 *A, const f64 *B, f64 *C, f64 *scratch) {
  if (r < 1 || k < 1 || n < 1) return;
  if (n == 1) {
    outer(r, k, A, B, C);
    return;
  }
  transpose(k, n, B, scratch);
  tileRows(r, k, n, A, n, scratch, k, C, k, scratch + k * n);
}

/* out[i·m + j] += W[i·cols + tokens[j]] */
EXPORT(gatherAdd) void gatherAdd(int r, int cols, const f64 *W, const int *tokens, int m, f64 *out) {
  for (int j = 0; j < m; j++) {
    const f64 *w = W + tokens[j];
    for (int i = 0; i < r; i++) out[i * m + j] += w[i * cols];
  }
}

/* dW[i·cols + tokens[j]] += dz[i·m + j] */
EXPORT(scatterAdd) void scatterAdd(int r, int cols, const f64 *dz, const int *tokens, int m, f64 *dW) {
  for (int j = 0; j < m; j++) {
    f64 *w = dW + tokens[j];
    for (int i = 0; i < r; i++) w[i * cols] += dz[i * m + j];
  }
}

/* out[i·m + j] = column[i] */
EXPORT(fillRows) void fillRows(int r, int m, const f64 *column, f64 *out) {
  for (int i = 0; i < r; i++) {
    v128_t v = SPLAT(column[i]);
    f64 *o = out + i * m;
    int j = 0;
    for (; j + 2 <= m; j += 2) ST(o + j, v);
    if (j < m) o[j] = column[i];
  }
}

/* out[i] += Σ_j src[i·m + j] (the sum from 0, in order of j) */
EXPORT(rowSumsAdd) void rowSumsAdd(int r, int m, const f64 *src, f64 *out) {
  for (int i = 0; i < r; i++) {
    const f64 *s = src + i * m;
    f64 sum = 0;
    for (int j = 0; j < m; j++) sum += s[j];
    out[i] += sum;
  }
}

/* A loop over n values, two per vector, then the odd one. */
#define EACH(n, VEC, ONE)                                                                                     \
  int q = 0;                                                                                                  \
  for (; q + 2 <= (n); q += 2) { VEC }                                                                        \
  if (q < (n)) { ONE }

/* dz = da ⊙ (1 − a²) */
EXPORT(tanhBackward) void tanhBackward(int n, const f64 *da, const f64 *a, f64 *dz) {
  v128_t one = SPLAT(1);
  EACH(n, {
    v128_t av = LD(a + q);
    ST(dz + q, wasm_f64x2_mul(LD(da + q), wasm_f64x2_sub(one, wasm_f64x2_mul(av, av))));
  }, { dz[q] = da[q] * (1 - a[q] * a[q]); })
}

/* dz = ds ⊙ (s ⊙ (1 − s)) */
EXPORT(sigmoidBackward) void sigmoidBackward(int n, const f64 *ds, const f64 *s, f64 *dz) {
  v128_t one = SPLAT(1);
  EACH(n, {
    v128_t sv = LD(s + q);
    ST(dz + q, wasm_f64x2_mul(LD(ds + q), wasm_f64x2_mul(sv, wasm_f64x2_sub(one, sv))));
  }, { dz[q] = ds[q] * (s[q] * (1 - s[q])); })
}

/* out = a ⊙ b (out may alias a or b) */
EXPORT(mul) void mul(int n, const f64 *a, const f64 *b, f64 *out) {
  EACH(n, { ST(out + q, wasm_f64x2_mul(LD(a + q), LD(b + q))); }, { out[q] = a[q] * b[q]; })
}

/* out += a ⊙ b */
EXPORT(mulAdd) void mulAdd(int n, const f64 *a, const f64 *b, f64 *out) {
  EACH(n, { ST(out + q, MADD(LD(out + q), LD(a + q), LD(b + q))); }, { out[q] += a[q] * b[q]; })
}

/* y += α·x */
EXPORT(axpy) void axpy(int n, f64 alpha, const f64 *x, f64 *y) {
  v128_t al = SPLAT(alpha);
  EACH(n, { ST(y + q, MADD(LD(y + q), al, LD(x + q))); }, { y[q] += alpha * x[q]; })
}

/* SGD, as the reference: g' = g + wd·p; v = μv + g'; p −= lr·(nesterov ? g' + μv : v), or p −= lr·g' without v. */
EXPORT(sgdStep) void sgdStep(int n, f64 *p, const f64 *g, f64 *v, f64 lr, f64 mu, int nesterov, f64 wd) {
  v128_t LR = SPLAT(lr), MU = SPLAT(mu), WD = SPLAT(wd);
  if (v == 0 || mu == 0) {
    EACH(n, {
      v128_t pv = LD(p + q);
      ST(p + q, wasm_f64x2_sub(pv, wasm_f64x2_mul(LR, MADD(LD(g + q), WD, pv))));
    }, { p[q] -= lr * (g[q] + wd * p[q]); })
    return;
  }
  EACH(n, {
    v128_t pv = LD(p + q);
    v128_t gk = MADD(LD(g + q), WD, pv);
    v128_t vv = wasm_f64x2_add(wasm_f64x2_mul(MU, LD(v + q)), gk);
    ST(v + q, vv);
    v128_t step = nesterov ? MADD(gk, MU, vv) : vv;
    ST(p + q, wasm_f64x2_sub(pv, wasm_f64x2_mul(LR, step)));
  }, {
    f64 gk = g[q] + wd * p[q];
    v[q] = mu * v[q] + gk;
    p[q] -= lr * (nesterov ? gk + mu * v[q] : v[q]);
  })
}

/* Adagrad: h += g²; p −= lr·g / (√h + ε) */
EXPORT(adagradStep) void adagradStep(int n, f64 *p, const f64 *g, f64 *h, f64 lr, f64 eps) {
  v128_t LR = SPLAT(lr), EPS = SPLAT(eps);
  EACH(n, {
    v128_t gv = LD(g + q);
    v128_t hv = MADD(LD(h + q), gv, gv);
    ST(h + q, hv);
    v128_t step = wasm_f64x2_div(wasm_f64x2_mul(LR, gv), wasm_f64x2_add(wasm_f64x2_sqrt(hv), EPS));
    ST(p + q, wasm_f64x2_sub(LD(p + q), step));
  }, {
    h[q] += g[q] * g[q];
    p[q] -= lr * g[q] / (__builtin_sqrt(h[q]) + eps);
  })
}

/* RMSProp: s = ρs + ((1 − ρ)·g)·g; p −= lr·g / (√s + ε) */
EXPORT(rmspropStep) void rmspropStep(int n, f64 *p, const f64 *g, f64 *s, f64 lr, f64 rho, f64 eps) {
  v128_t LR = SPLAT(lr), RHO = SPLAT(rho), RHO1 = SPLAT(1 - rho), EPS = SPLAT(eps);
  EACH(n, {
    v128_t gv = LD(g + q);
    v128_t sv = wasm_f64x2_add(wasm_f64x2_mul(RHO, LD(s + q)), wasm_f64x2_mul(wasm_f64x2_mul(RHO1, gv), gv));
    ST(s + q, sv);
    v128_t step = wasm_f64x2_div(wasm_f64x2_mul(LR, gv), wasm_f64x2_add(wasm_f64x2_sqrt(sv), EPS));
    ST(p + q, wasm_f64x2_sub(LD(p + q), step));
  }, {
    s[q] = rho * s[q] + (1 - rho) * g[q] * g[q];
    p[q] -= lr * g[q] / (__builtin_sqrt(s[q]) + eps);
  })
}

/* Adam(W): m = β1·m + (1 − β1)g; v = β2·v + ((1 − β2)g)g; p = p·shrink − (lr·(m/c1)) / (√(v/c2) + ε) */
EXPORT(adamStep) void adamStep(int n, f64 *p, const f64 *g, f64 *m, f64 *v, f64 lr, f64 b1, f64 b2, f64 eps,
                               f64 c1, f64 c2, f64 shrink) {
  v128_t LR = SPLAT(lr), B1 = SPLAT(b1), B2 = SPLAT(b2), B1c = SPLAT(1 - b1), B2c = SPLAT(1 - b2);
  v128_t EPS = SPLAT(eps), C1 = SPLAT(c1), C2 = SPLAT(c2), SH = SPLAT(shrink);
  EACH(n, {
    v128_t gv = LD(g + q);
    v128_t mv = wasm_f64x2_add(wasm_f64x2_mul(B1, LD(m + q)), wasm_f64x2_mul(B1c, gv));
    v128_t vv = wasm_f64x2_add(wasm_f64x2_mul(B2, LD(v + q)), wasm_f64x2_mul(wasm_f64x2_mul(B2c, gv), gv));
    ST(m + q, mv);
    ST(v + q, vv);
    v128_t num = wasm_f64x2_mul(LR, wasm_f64x2_div(mv, C1));
    v128_t den = wasm_f64x2_add(wasm_f64x2_sqrt(wasm_f64x2_div(vv, C2)), EPS);
    ST(p + q, wasm_f64x2_sub(wasm_f64x2_mul(LD(p + q), SH), wasm_f64x2_div(num, den)));
  }, {
    m[q] = b1 * m[q] + (1 - b1) * g[q];
    v[q] = b2 * v[q] + (1 - b2) * g[q] * g[q];
    p[q] = p[q] * shrink - lr * (m[q] / c1) / (__builtin_sqrt(v[q] / c2) + eps);
  })
}
