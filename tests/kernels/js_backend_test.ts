import { assert, assertLess } from "@std/assert";
import { createJsBackend } from "../../src/kernels/js_backend.ts";

const jsKernels = createJsBackend();
import { Random } from "../../src/math/random.ts";

const TOL = 1e-12;
const SIZES = [1, 3, 5, 7, 17, 33];

type Op = "gemm" | "gemmTN" | "gemmNT";
/** Element (i, j) of each operand as a function of the kernel's (r, k, n); shapes of A, B, C. */
const SHAPES: Record<Op, (r: number, k: number, n: number) => [number, number, number]> = {
  gemm: (r, k, n) => [r * k, k * n, r * n],
  gemmTN: (r, k, n) => [r * k, r * n, k * n],
  gemmNT: (r, k, n) => [r * n, k * n, r * k],
};

/** The definitions, as naive triple loops. */
function naive(
  op: Op,
  r: number,
  k: number,
  n: number,
  A: Float64Array,
  B: Float64Array,
  C: Float64Array,
): void {
  if (op === "gemm") {
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) C[i * n + j] += A[i * k + p] * B[p * n + j];
    }
  } else if (op === "gemmTN") {
    for (let p = 0; p < k; p++) {
      for (let j = 0; j < n; j++) for (let i = 0; i < r; i++) C[p * n + j] += A[i * k + p] * B[i * n + j];
    }
  } else {
    for (let i = 0; i < r; i++) {
      for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) C[i * k + p] += A[i * n + j] * B[p * n + j];
    }
  }
}

function randn(random: Random, length: number): Float64Array {
  const out = new Float64Array(length);
  for (let q = 0; q < length; q++) out[q] = random.normal();
  return out;
}

/** max |got − want| / max(1, max |want|) */
function relError(got: Float64Array, want: Float64Array): number {
  let diff = 0, scale = 1;
  for (let q = 0; q < want.length; q++) {
    diff = Math.max(diff, Math.abs(got[q] - want[q]));
    scale = Math.max(scale, Math.abs(want[q]));
  }
  return diff / scale;
}

for (const op of ["gemm", "gemmTN", "gemmNT"] as const) {
  Deno.test(`the js backend's ${op}() accumulates the naive product on odd and even shapes`, async (t) => {
    const random = new Random(7);
    for (const n of [1, ...SIZES.slice(1), 4, 32]) {
      await t.step(`n=${n}`, () => {
        for (const r of SIZES) {
          for (const k of SIZES) {
            const [la, lb, lc] = SHAPES[op](r, k, n);
            const A = randn(random, la), B = randn(random, lb), C0 = randn(random, lc);
            const want = C0.slice(), got = C0.slice();
            naive(op, r, k, n, A, B, want);
            jsKernels[op](r, k, n, A, B, got);
            assertLess(relError(got, want), TOL, `${op} r=${r} k=${k} n=${n}`);
          }
        }
      });
    }
  });
}

Deno.test("the js backend's GEMMs leave their inputs unchanged and accumulate twice as 2×", async (t) => {
  const random = new Random(11);
  for (const op of ["gemm", "gemmTN", "gemmNT"] as const) {
    await t.step(op, () => {
      const [r, k, n] = [9, 6, 5];
      const [la, lb, lc] = SHAPES[op](r, k, n);
      const A = randn(random, la), B = randn(random, lb);
      const a = A.slice(), b = B.slice();
      const once = new Float64Array(lc), twice = new Float64Array(lc);
      jsKernels[op](r, k, n, A, B, once);
      jsKernels[op](r, k, n, A, B, twice);
      jsKernels[op](r, k, n, A, B, twice);
      assert(A.every((v, q) => v === a[q]) && B.every((v, q) => v === b[q]), "inputs changed");
      assertLess(relError(twice, once.map((v) => 2 * v)), TOL);
    });
  }
});

Deno.test("the js backend's GEMMs give the same result when an array is reused with another row length or a zero size", async (t) => {
  const random = new Random(13);
  for (const op of ["gemm", "gemmTN", "gemmNT"] as const) {
    await t.step(op, () => {
      const A = randn(random, 64), B = randn(random, 64);
      for (const [r, k, n] of [[6, 4, 1], [4, 6, 1], [3, 8, 1], [6, 4, 1], [4, 6, 5], [8, 3, 1]]) {
        const [la, lb, lc] = SHAPES[op](r, k, n);
        const C0 = randn(random, lc);
        const want = C0.slice(), got = C0.slice();
        naive(op, r, k, n, A.subarray(0, la), B.subarray(0, lb), want);
        jsKernels[op](r, k, n, A, B, got);
        assertLess(relError(got, want), TOL, `${op} r=${r} k=${k} n=${n}`);
      }
      const C = randn(random, 4), before = C.slice();
      jsKernels[op](0, 2, 2, A, B, C);
      jsKernels[op](2, 0, 2, A, B, C);
      jsKernels[op](2, 2, 0, A, B, C);
      assert(C.every((v, q) => v === before[q]), "a zero size changed C");
    });
  }
});
