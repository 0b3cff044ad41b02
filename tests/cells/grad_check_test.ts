import { assert, assertGreater, assertLess, assertThrows } from "@std/assert";
import { cellForward, gradCheck, Matrix, Random } from "../../mod.ts";
import type { GradCheckResult, RnnParams } from "../../mod.ts";
import { makeProblem, makeTarget, randn } from "../_problems.ts";
import type { InputKind, TargetKind } from "../_problems.ts";

const TOL = 1e-6;
const NAMES = ["Wax", "Waa", "ba", "Wya", "by", "a0"] as const;

function assertAllBelow(result: GradCheckResult, tol: number, label: string): void {
  for (const name of NAMES) {
    const { relError } = result.entries[name];
    assert(Number.isFinite(relError), `${label}: ${name} relError is ${relError}`);
    assertLess(relError, tol, `${label}: ${name} relError ${relError} >= ${tol}`);
  }
  assertLess(result.maxRelError, tol, `${label}: maxRelError`);
}

Deno.test("gradCheck() finds analytic and finite-difference gradients within 1e-6 on random problems", async (t) => {
  const inputs: InputKind[] = ["dense", "tokens"];
  const targets: TargetKind[] = ["tokens", "onehot", "soft", "raw"];
  let seed = 100;
  for (const m of [1, 3]) {
    for (const inputKind of inputs) {
      for (const targetKind of targets) {
        for (let rep = 0; rep < 3; rep++) {
          const s = seed++;
          const p = makeProblem(s, m, inputKind, targetKind);
          const { nx, na, ny, T } = p.sizes;
          const label = `seed ${s}, m=${m}, ${inputKind} inputs, ${targetKind} targets, ` +
            `nx=${nx} na=${na} ny=${ny} T=${T}`;
          await t.step(label, () => {
            assertAllBelow(gradCheck(p.params, p.xs, p.ys, { a0: p.a0 }), TOL, label);
          });
        }
      }
    }
  }
});

Deno.test("gradCheck() agrees within 1e-6 for the linear head with dense targets", async (t) => {
  let seed = 500;
  for (const m of [1, 3]) {
    for (const inputKind of ["dense", "tokens"] as const) {
      for (let rep = 0; rep < 3; rep++) {
        const s = seed++;
        const p = makeProblem(s, m, inputKind, "raw");
        const label = `seed ${s}, m=${m}, ${inputKind} inputs, T=${p.sizes.T}`;
        await t.step(label, () => {
          assertAllBelow(gradCheck(p.params, p.xs, p.ys, { a0: p.a0, head: "linear" }), TOL, label);
        });
      }
    }
  }
});

Deno.test("gradCheck() works with the default zero a0 and plain number[] tokens", () => {
  const p = makeProblem(7, 2, "tokens", "tokens", { T: 3 });
  const xs = p.xs.map((x) => Array.from(x as Int32Array));
  const ys = p.ys.map((y) => Array.from(y as Int32Array));
  assertAllBelow(gradCheck(p.params, xs, ys), TOL, "default a0");
});

/** The document's single-step gradients, with its output formula dz2 = ŷ − y (exact only when Σy = 1). */
function documentGrads(params: RnnParams, x: Matrix, y: Matrix, aPrev: Matrix): Record<string, Float64Array> {
  const c = cellForward(params, x, aPrev);
  const na = params.Waa.rows, nx = params.Wax.cols, ny = params.Wya.rows, m = aPrev.cols;
  const dz2 = new Matrix(ny, m), dz1 = new Matrix(na, m);
  const g = {
    Wax: new Float64Array(na * nx),
    Waa: new Float64Array(na * na),
    ba: new Float64Array(na),
    Wya: new Float64Array(ny * na),
    by: new Float64Array(ny),
    a0: new Float64Array(na * m),
  };
  for (let q = 0; q < dz2.data.length; q++) dz2.data[q] = c.yHat.data[q] - y.data[q];
  for (let i = 0; i < na; i++) {
    for (let j = 0; j < m; j++) {
      let da = 0;
      for (let k = 0; k < ny; k++) da += params.Wya.get(k, i) * dz2.get(k, j);
      // d tanh(z1)/dz1 = 1 − a²
      dz1.set(i, j, da * (1 - c.a.get(i, j) ** 2));
    }
  }
  for (let j = 0; j < m; j++) {
    for (let k = 0; k < ny; k++) {
      g.by[k] += dz2.get(k, j);
      for (let i = 0; i < na; i++) g.Wya[k * na + i] += dz2.get(k, j) * c.a.get(i, j);
    }
    for (let i = 0; i < na; i++) {
      g.ba[i] += dz1.get(i, j);
      for (let l = 0; l < nx; l++) g.Wax[i * nx + l] += dz1.get(i, j) * x.get(l, j);
      for (let l = 0; l < na; l++) {
        g.Waa[i * na + l] += dz1.get(i, j) * c.aPrev.get(l, j);
        g.a0[l * m + j] += params.Waa.get(i, l) * dz1.get(i, j);
      }
    }
  }
  return g;
}

/** gradCheck's relative error measure, applied to any candidate gradient. */
function relGap(candidate: Float64Array, numeric: Float64Array): number {
  let gap = 0, scale = 0;
  for (let k = 0; k < numeric.length; k++) {
    gap = Math.max(gap, Math.abs(candidate[k] - numeric[k]));
    scale = Math.max(scale, Math.abs(candidate[k]), Math.abs(numeric[k]));
  }
  return scale === 0 ? 0 : gap / scale;
}

Deno.test("gradCheck() flags the document's dz2 = ŷ − y as wrong when Σy ≠ 1", async (t) => {
  for (const m of [1, 3]) {
    await t.step(`raw randn targets, m=${m}: the document's gradient is off, ours is not`, () => {
      const p = makeProblem(900 + m, m, "dense", "raw", { nx: 6, na: 3, ny: 6, T: 1 });
      const y = p.ys[0] as Matrix;
      const sums = Array.from(
        { length: m },
        (_, j) => y.data.filter((_, q) => q % m === j).reduce((s, v) => s + v),
      );
      assert(sums.every((s) => Math.abs(s - 1) > 0.1), `Σy per column is ${sums}, expected far from 1`);
      const result = gradCheck(p.params, p.xs, p.ys, { a0: p.a0 });
      assertAllBelow(result, TOL, "exact gradient");
      const doc = documentGrads(p.params, p.xs[0] as Matrix, y, p.a0);
      // every parameter depends on dz2, so every one of them is visibly wrong
      for (const name of NAMES) {
        const gap = relGap(doc[name], result.entries[name].numeric);
        assertGreater(gap, 1e-2, `document's ${name} gap ${gap} should be flagged`);
      }
    });
  }
  for (const kind of ["onehot", "soft"] as const) {
    await t.step(`${kind} targets (Σy = 1): the document's gradient passes the same check`, () => {
      const p = makeProblem(950, 3, "dense", kind, { nx: 6, na: 3, ny: 6, T: 1 });
      const result = gradCheck(p.params, p.xs, p.ys, { a0: p.a0 });
      const doc = documentGrads(p.params, p.xs[0] as Matrix, p.ys[0] as Matrix, p.a0);
      for (const name of NAMES) {
        assertLess(relGap(doc[name], result.entries[name].numeric), TOL, `document's ${name}`);
      }
    });
  }
});

Deno.test("gradCheck() leaves params and a0 bit-identical", () => {
  const p = makeProblem(31, 3, "dense", "raw", { T: 4 });
  const before = [p.params.Wax, p.params.Waa, p.params.ba, p.params.Wya, p.params.by, p.a0].map((mat) =>
    new Uint8Array(mat.data.slice().buffer)
  );
  gradCheck(p.params, p.xs, p.ys, { a0: p.a0, epsilon: 1e-3 });
  const after = [p.params.Wax, p.params.Waa, p.params.ba, p.params.Wya, p.params.by, p.a0];
  after.forEach((mat, k) => {
    const bytes = new Uint8Array(mat.data.buffer, mat.data.byteOffset, mat.data.byteLength);
    assert(bytes.every((b, q) => b === before[k][q]), `${NAMES[k]} changed`);
  });
});

Deno.test("gradCheck() returns both gradients flat, with the shapes of the parameters", () => {
  const p = makeProblem(41, 3, "tokens", "tokens", { nx: 4, na: 5, ny: 3, T: 2 });
  const r = gradCheck(p.params, p.xs, p.ys, { a0: p.a0 });
  const lengths = { Wax: 20, Waa: 25, ba: 5, Wya: 15, by: 3, a0: 15 };
  for (const name of NAMES) {
    assert(r.entries[name].analytic.length === lengths[name], `${name} analytic length`);
    assert(r.entries[name].numeric.length === lengths[name], `${name} numeric length`);
    assertLess(r.entries[name].absError, 1e-8, `${name} absError`);
  }
  assert(r.maxRelError === Math.max(...NAMES.map((n) => r.entries[n].relError)), "maxRelError is the max");
});

Deno.test("gradCheck() rejects a bad epsilon with a RangeError naming the value", async (t) => {
  const p = makeProblem(3, 1, "tokens", "tokens", { T: 1 });
  for (const epsilon of [0, -1e-5, NaN, Infinity, -Infinity]) {
    await t.step(`epsilon = ${epsilon}`, () => {
      assertThrows(
        () => gradCheck(p.params, p.xs, p.ys, { epsilon }),
        RangeError,
        `'epsilon' must be a finite number > 0: current value is ${epsilon}`,
      );
    });
  }
  await t.step("epsilon as a string", () => {
    assertThrows(
      () => gradCheck(p.params, p.xs, p.ys, { epsilon: "1e-5" as unknown as number }),
      RangeError,
      "current value is 1e-5",
    );
  });
});

Deno.test("gradCheck() on a long sequence with large recurrent weights: the gap shrinks as h²", () => {
  const random = new Random(77);
  const p = makeProblem(77, 2, "dense", "soft", { nx: 3, na: 4, ny: 3, T: 12 });
  // large recurrent weights make the loss curve sharply (gradients ~100), so the centred
  // difference's truncation error, of order h²·L‴/6, dominates at the default h = 1e-5
  p.params.Waa = randn(random, 4, 4, 1.5);
  p.ys = p.ys.map(() => makeTarget(random, "soft", 3, 2));
  const at = (epsilon: number) => gradCheck(p.params, p.xs, p.ys, { a0: p.a0, epsilon });
  const coarse = at(1e-4).entries.Wax.relError, fine = at(1e-5).entries.Wax.relError;
  // a wrong gradient leaves a gap that does not shrink; truncation error drops 100x per 10x in h
  assert(coarse / fine > 50 && coarse / fine < 200, `Wax gap ratio ${coarse / fine}, expected ~100`);
  assertAllBelow(at(1e-7), TOL, "T=12, epsilon 1e-7");
});
