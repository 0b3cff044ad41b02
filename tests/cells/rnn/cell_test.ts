import { assert, assertEquals, assertLessOrEqual, assertThrows } from "@std/assert";
import {
  bptt,
  cellBackward,
  cellForward,
  cellLoss,
  fromRows,
  gradCheck,
  initParams,
  Matrix,
  zeroGrads,
} from "../../../mod.ts";
import type { RnnGrads, RnnParams } from "../../../mod.ts";
import { column, makeProblem } from "../../_problems.ts";
import type { InputKind, TargetKind } from "../../_problems.ts";

const GRAD_KEYS = ["dWax", "dWaa", "dba", "dWya", "dby"] as const;

/** Asserts |actual − expected| <= tol · max(1, max|expected|) element-wise. */
function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  what: string,
): void {
  assertEquals(actual.length, expected.length, `${what}: length`);
  let scale = 1;
  for (let k = 0; k < expected.length; k++) scale = Math.max(scale, Math.abs(expected[k]));
  for (let k = 0; k < expected.length; k++) {
    const gap = Math.abs(actual[k] - expected[k]);
    assertLessOrEqual(gap, tol * scale, `${what}[${k}]: ${actual[k]} vs ${expected[k]}`);
  }
}

function columnOf(mat: Matrix, j: number): Float64Array {
  return Float64Array.from({ length: mat.rows }, (_, i) => mat.get(i, j));
}

Deno.test("bptt() over a batch of m columns equals the sum of m single-column runs", async (t) => {
  const cases: [InputKind, TargetKind, "softmax" | "linear"][] = [
    ["dense", "raw", "softmax"],
    ["dense", "soft", "softmax"],
    ["dense", "onehot", "softmax"],
    ["tokens", "tokens", "softmax"],
    ["tokens", "raw", "softmax"],
    ["dense", "raw", "linear"],
    ["tokens", "raw", "linear"],
  ];
  let seed = 1000;
  for (const [inputKind, targetKind, head] of cases) {
    for (const m of [2, 3, 5]) {
      const s = seed++;
      await t.step(`seed ${s}: m=${m}, ${inputKind} inputs, ${targetKind} targets, ${head} head`, () => {
        const p = makeProblem(s, m, inputKind, targetKind);
        const batch = bptt(p.params, p.xs, p.ys, { a0: p.a0, head });
        const sum = zeroGrads(p.params);
        let loss = 0;
        for (let j = 0; j < m; j++) {
          const one = bptt(p.params, p.xs.map((x) => column(x, j)), p.ys.map((y) => column(y, j)), {
            a0: column(p.a0, j) as Matrix,
            head,
          });
          loss += one.loss;
          for (const k of GRAD_KEYS) one.grads[k].data.forEach((v, q) => sum[k].data[q] += v);
          assertClose(columnOf(batch.aLast, j), one.aLast.data, 1e-12, `aLast column ${j}`);
          assertClose(columnOf(batch.da0, j), one.da0.data, 1e-12, `da0 column ${j}`);
          one.yHats.forEach((yh, t) =>
            assertClose(columnOf(batch.yHats[t], j), yh.data, 1e-12, `yHats[${t}]`)
          );
        }
        assertClose([batch.loss], [loss], 1e-12, "loss");
        for (const k of GRAD_KEYS) assertClose(batch.grads[k].data, sum[k].data, 1e-12, k);
      });
    }
  }
});

Deno.test("cellForward() with a reset mask restarts the flagged columns from zero", async (t) => {
  const p = makeProblem(21, 3, "dense", "raw", { nx: 4, na: 5, ny: 3, T: 1 });
  const x = p.xs[0] as Matrix, y = p.ys[0] as Matrix;
  const plain = cellForward(p.params, x, p.a0);
  for (const reset of [[false, true, false], [0, 1, 0], Uint8Array.of(0, 1, 0)]) {
    await t.step(
      `reset given as ${reset.constructor.name} ${Array.from(reset as ArrayLike<unknown>)}`,
      () => {
        const c = cellForward(p.params, x, p.a0, { reset });
        const fresh = cellForward(p.params, column(x, 1), Matrix.zeros(5, 1));
        assert(columnOf(c.aPrev, 1).every((v) => v === 0), "aPrev column 1 is zeroed");
        assertClose(columnOf(c.a, 1), fresh.a.data, 1e-15, "a column 1 = run from zeros");
        assertClose(columnOf(c.yHat, 1), fresh.yHat.data, 1e-15, "yHat column 1 = run from zeros");
        for (const j of [0, 2]) {
          assertClose(columnOf(c.a, j), columnOf(plain.a, j), 0, `a column ${j} untouched`);
        }
        assert(p.a0.data.some((v) => v !== 0), "the caller's aPrev is not modified");
      },
    );
  }
  await t.step("cellBackward() sends no gradient through the reset column", () => {
    const c = cellForward(p.params, x, p.a0, { reset: [false, true, false] });
    const daNext = new Matrix(5, 3, new Float64Array(15).fill(0.25));
    const daPrev = cellBackward(p.params, c, y, daNext, zeroGrads(p.params));
    const plainPrev = cellBackward(p.params, plain, y, daNext, zeroGrads(p.params));
    assert(columnOf(daPrev, 1).every((v) => v === 0), "daPrev column 1 is zero");
    for (const j of [0, 2]) {
      assert(columnOf(daPrev, j).some((v) => v !== 0), `daPrev column ${j} is not zero`);
      assertClose(columnOf(daPrev, j), columnOf(plainPrev, j), 0, `daPrev column ${j} as without reset`);
    }
  });
  await t.step("an all-false mask is the same as no mask", () => {
    const c = cellForward(p.params, x, p.a0, { reset: [false, false, false] });
    assertClose(c.a.data, plain.a.data, 0, "a");
    assertEquals(c.reset, null);
  });
});

Deno.test("cellBackward() adds into grads and matches bptt() on a single step", () => {
  const p = makeProblem(33, 3, "tokens", "soft", { T: 1 });
  const c = cellForward(p.params, p.xs[0], p.a0);
  const grads = zeroGrads(p.params);
  const daPrev = cellBackward(p.params, c, p.ys[0], Matrix.zeros(p.sizes.na, 3), grads);
  const ref = bptt(p.params, p.xs, p.ys, { a0: p.a0 });
  for (const k of GRAD_KEYS) assertClose(grads[k].data, ref.grads[k].data, 1e-14, k);
  assertClose(daPrev.data, ref.da0.data, 1e-14, "daPrev");
  assertClose([cellLoss(c, p.ys[0])], [ref.loss], 1e-14, "loss");
  // a second call accumulates: grads double
  cellBackward(p.params, c, p.ys[0], Matrix.zeros(p.sizes.na, 3), grads);
  for (const k of GRAD_KEYS) assertClose(grads[k].data, ref.grads[k].data.map((v) => 2 * v), 1e-14, k);
});

// ---- bad input -------------------------------------------------------------------------------

type Case = [label: string, fn: () => unknown, error: typeof RangeError | typeof TypeError, includes: string];

function setup(): {
  params: RnnParams;
  aPrev: Matrix;
  grads: RnnGrads;
  cache: ReturnType<typeof cellForward>;
} {
  const params = initParams({ nx: 4, na: 3, ny: 5 }, { seed: 1 });
  const aPrev = Matrix.zeros(3, 2);
  return { params, aPrev, grads: zeroGrads(params), cache: cellForward(params, [1, 2], aPrev) };
}

function withValue(params: RnnParams, name: keyof RnnParams, value: number): RnnParams {
  const copy = { ...params, [name]: params[name].clone() };
  copy[name].data[copy[name].data.length - 1] = value;
  return copy;
}

/** A copy of `m` whose last element (bottom-right) is `value`. */
function withLast(m: Matrix, value: number): Matrix {
  const out = m.clone();
  out.data[out.data.length - 1] = value;
  return out;
}

async function runCases(t: Deno.TestContext, cases: Case[]): Promise<void> {
  for (const [label, fn, error, includes] of cases) {
    await t.step(label, () => {
      assertThrows(fn, error, includes);
    });
  }
}

// deno-lint-ignore no-explicit-any
const bad = (v: unknown): any => v;

Deno.test("cellForward() rejects bad input with an error naming what and the value seen", async (t) => {
  const { params, aPrev } = setup();
  const x = Matrix.zeros(4, 2);
  // deno-fmt-ignore
  const cases: Case[] = [
    ["params null", () => cellForward(bad(null), x, aPrev), TypeError, "'params' must be an object"],
    ["params.Wax a string", () => cellForward({ ...params, Wax: bad("w") }, x, aPrev), TypeError, "'params.Wax' must be a Matrix: got string w"],
    ["params.Waa wrong shape", () => cellForward({ ...params, Waa: Matrix.zeros(3, 2) }, x, aPrev), RangeError, "'params.Waa' has shape 3x2, expected 3x3"],
    ["params.by wrong shape", () => cellForward({ ...params, by: Matrix.zeros(4, 1) }, x, aPrev), RangeError, "'params.by' has shape 4x1, expected 5x1"],
    ["aPrev null", () => cellForward(params, x, bad(null)), TypeError, "'aPrev' must be a Matrix: got null"],
    ["aPrev a string", () => cellForward(params, x, bad("a")), TypeError, "'aPrev' must be a Matrix: got string a"],
    ["aPrev wrong rows", () => cellForward(params, x, Matrix.zeros(2, 2)), RangeError, "'aPrev' has shape 2x2, expected 3x2"],
    ["x wrong rows", () => cellForward(params, Matrix.zeros(5, 2), aPrev), RangeError, "'x' has shape 5x2, expected 4x2"],
    ["x wrong columns", () => cellForward(params, Matrix.zeros(4, 3), aPrev), RangeError, "'x' has shape 4x3, expected 4x2"],
    ["x a string", () => cellForward(params, bad("ab"), aPrev), TypeError, "'x' must be a Matrix or 2 token indices (Int32Array or number[]): got string ab"],
    ["x null", () => cellForward(params, bad(null), aPrev), TypeError, "got null"],
    ["x a Float64Array", () => cellForward(params, bad(new Float64Array(2)), aPrev), TypeError, "got a Float64Array"],
    ["x too few tokens", () => cellForward(params, [1], aPrev), RangeError, "'x' has 1 token indices, expected 2 (one per column)"],
    ["token negative", () => cellForward(params, [0, -1], aPrev), RangeError, "'x[1]' must be a token index in [0, 4): current value is -1"],
    ["token = n_x", () => cellForward(params, Int32Array.of(4, 0), aPrev), RangeError, "'x[0]' must be a token index in [0, 4): current value is 4"],
    ["token non-integer", () => cellForward(params, [1.5, 0], aPrev), RangeError, "current value is 1.5"],
    ["token NaN", () => cellForward(params, [NaN, 0], aPrev), RangeError, "current value is NaN"],
    ["token a string", () => cellForward(params, bad(["1", 0]), aPrev), RangeError, "'x[0]' must be a token index"],
    ["reset wrong length", () => cellForward(params, x, aPrev, { reset: [true] }), RangeError, "'reset' has length 1, expected 2"],
    ["reset a string", () => cellForward(params, x, aPrev, { reset: bad("10") }), TypeError, "'reset' must be an array of 2 booleans or 0/1 flags: got string 10"],
    ["reset flag 2", () => cellForward(params, x, aPrev, { reset: [0, 2] }), TypeError, "'reset[1]' must be a boolean or 0/1: current value is 2"],
    ["unknown head", () => cellForward(params, x, aPrev, { head: bad("relu") }), RangeError, `'head' must be "softmax" or "linear": current value is relu`],
  ];
  for (const v of [NaN, Infinity, -Infinity]) {
    // deno-fmt-ignore
    cases.push(
      [`x contains ${v}`, () => cellForward(params, withLast(x, v), aPrev), RangeError, `'x' must be finite: value at (3, 1) is ${v}`],
      [`aPrev contains ${v}`, () => cellForward(params, x, withLast(aPrev, v)), RangeError, `'aPrev' must be finite: value at (2, 1) is ${v}`],
      [`params.Wax contains ${v}`, () => cellForward(withValue(params, "Wax", v), x, aPrev), RangeError, `'params.Wax' must be finite: value at (2, 3) is ${v}`],
      [`params.ba contains ${v}`, () => cellForward(withValue(params, "ba", v), x, aPrev), RangeError, `'params.ba' must be finite: value at (2, 0) is ${v}`],
      [`params.by contains ${v}`, () => cellForward(withValue(params, "by", v), x, aPrev), RangeError, `'params.by' must be finite: value at (4, 0) is ${v}`],
    );
  }
  await runCases(t, cases);
});

Deno.test("cellBackward() rejects bad input with an error naming what and the value seen", async (t) => {
  const { params, aPrev, grads, cache } = setup();
  const da = Matrix.zeros(3, 2), y = [0, 4];
  const other = initParams({ nx: 6, na: 3, ny: 5 }, { seed: 2 });
  // deno-fmt-ignore
  const cases: Case[] = [
    ["cache null", () => cellBackward(params, bad(null), y, da, grads), TypeError, "'cache' must be a StepCache from cellForward(): got null"],
    ["cache a string", () => cellBackward(params, bad("c"), y, da, grads), TypeError, "got string c"],
    ["cache from a model with more hidden units", () => cellBackward( params, cellForward(initParams({ nx: 4, na: 4, ny: 5 }), [0, 1], Matrix.zeros(4, 2)), y, da, grads, ), RangeError, "'cache.a' has shape 4x2, expected 3x2"],
    ["cache whose token exceeds n_x", () => cellBackward(params, cellForward(other, [5, 0], aPrev), y, da, grads), RangeError, "'cache.x[0]' must be a token index in [0, 4): current value is 5"],
    ["cache whose dense x has another n_x", () => cellBackward(params, cellForward(other, Matrix.zeros(6, 2), aPrev), y, da, grads), RangeError, "'cache.x' has shape 6x2, expected 4x2"],
    ["y wrong shape", () => cellBackward(params, cache, Matrix.zeros(5, 1), da, grads), RangeError, "'y' has shape 5x1, expected 5x2"],
    ["y class = n_y", () => cellBackward(params, cache, [0, 5], da, grads), RangeError, "'y[1]' must be a token index in [0, 5): current value is 5"],
    ["y class negative", () => cellBackward(params, cache, [-2, 0], da, grads), RangeError, "current value is -2"],
    ["y class non-integer", () => cellBackward(params, cache, [0, 0.5], da, grads), RangeError, "current value is 0.5"],
    ["y a string", () => cellBackward(params, cache, bad("y"), da, grads), TypeError, "got string y"],
    ["y NaN", () => cellBackward(params, cache, withLast(Matrix.zeros(5, 2), NaN), da, grads), RangeError, "'y' must be finite: value at (4, 1) is NaN"],
    ["token y with the linear head", () => cellBackward(params, cache, y, da, grads, { head: "linear" }), TypeError, "'y' must be a 5x2 Matrix for the linear head: got an array of length 2"],
    ["daNext wrong shape", () => cellBackward(params, cache, y, Matrix.zeros(3, 1), grads), RangeError, "'daNext' has shape 3x1, expected 3x2"],
    ["daNext null", () => cellBackward(params, cache, y, bad(null), grads), TypeError, "'daNext' must be a Matrix: got null"],
    ["daNext Infinity", () => cellBackward(params, cache, y, withLast(da, Infinity), grads), RangeError, "'daNext' must be finite: value at (2, 1) is Infinity"],
    ["grads null", () => cellBackward(params, cache, y, da, bad(null)), TypeError, "'grads' must be an object { dWax, dWaa, dba, dWya, dby }: got null"],
    ["grads.dWax wrong shape", () => cellBackward(params, cache, y, da, { ...grads, dWax: Matrix.zeros(4, 3) }), RangeError, "'grads.dWax' has shape 4x3, expected 3x4"],
    ["grads.dby missing", () => cellBackward(params, cache, y, da, { ...grads, dby: bad(undefined) }), TypeError, "'grads.dby' must be a Matrix"],
    ["params NaN", () => cellBackward(withValue(params, "Waa", NaN), cache, y, da, grads), RangeError, "'params.Waa' must be finite: value at (2, 2) is NaN"],
    ["unknown head", () => cellBackward(params, cache, y, da, grads, { head: bad(1) }), RangeError, "current value is 1"],
  ];
  await runCases(t, cases);
  await t.step("a rejected call leaves grads untouched", () => {
    assert(GRAD_KEYS.every((k) => grads[k].data.every((v) => v === 0)));
  });
});

Deno.test("cellLoss() rejects bad input with an error naming what and the value seen", async (t) => {
  const { cache } = setup();
  // deno-fmt-ignore
  await runCases(t, [
    ["cache null", () => cellLoss(bad(null), [0, 1]), TypeError, "'cache' must be a StepCache from cellForward(): got null"],
    ["y wrong shape", () => cellLoss(cache, Matrix.zeros(4, 2)), RangeError, "'y' has shape 4x2, expected 5x2"],
    ["y too many classes", () => cellLoss(cache, [0, 1, 2]), RangeError, "'y' has 3 token indices, expected 2"],
    ["y class out of range", () => cellLoss(cache, [0, 7]), RangeError, "'y[1]' must be a token index in [0, 5): current value is 7"],
    ["y -Infinity", () => cellLoss(cache, withLast(Matrix.zeros(5, 2), -Infinity)), RangeError, "value at (4, 1) is -Infinity"],
    ["y null", () => cellLoss(cache, bad(null)), TypeError, "got null"],
    ["unknown head", () => cellLoss(cache, [0, 1], { head: bad("tanh") }), RangeError, "current value is tanh"],
  ]);
});

Deno.test("bptt() and gradCheck() reject bad sequences with an error naming what and the value seen", async (t) => {
  const { params } = setup();
  const xs = [[0, 1], [2, 3]], ys = [[1, 0], [4, 4]];
  for (const [name, fn] of [["bptt", bptt], ["gradCheck", gradCheck]] as const) {
    // deno-fmt-ignore
    await runCases(t, [
      [`${name}: empty sequence`, () => fn(params, [], []), RangeError, "'xs' must hold at least one step: current length is 0"],
      [`${name}: xs/ys length mismatch`, () => fn(params, xs, ys.slice(1)), RangeError, "'ys' has 1 steps, expected 2 (one per step of 'xs')"],
      [`${name}: xs a string`, () => fn(params, bad("ab"), ys), TypeError, "'xs' must be an array of steps: got string ab"],
      [`${name}: ys null`, () => fn(params, xs, bad(null)), TypeError, "'ys' must be an array of steps: got null"],
      [`${name}: xs[0] null`, () => fn(params, bad([null, null]), ys), TypeError, "'xs[0]' must be a Matrix or token indices (Int32Array or number[]): got null"],
      [`${name}: xs[0] with no columns`, () => fn(params, [[], []], ys), RangeError, "'xs[0]' must hold at least one column: got an array of length 0"],
      [`${name}: xs[1] a different batch size`, () => fn(params, [[0, 1], [2]], ys), RangeError, "'xs[1]' has 1 token indices, expected 2"],
      [`${name}: xs[1] token = n_x`, () => fn(params, [[0, 1], [2, 4]], ys), RangeError, "'xs[1][1]' must be a token index in [0, 4): current value is 4"],
      [`${name}: xs[0] token negative`, () => fn(params, [[-1, 1], [2, 3]], ys), RangeError, "'xs[0][0]' must be a token index in [0, 4): current value is -1"],
      [`${name}: xs[0] token non-integer`, () => fn(params, [[0, 2.5], [2, 3]], ys), RangeError, "'xs[0][1]' must be a token index in [0, 4): current value is 2.5"],
      [`${name}: ys[1] class = n_y`, () => fn(params, xs, [[1, 0], [5, 4]]), RangeError, "'ys[1][0]' must be a token index in [0, 5): current value is 5"],
      [`${name}: dense xs[0] wrong shape`, () => fn(params, [Matrix.zeros(3, 2), Matrix.zeros(4, 2)], ys), RangeError, "'xs[0]' has shape 3x2, expected 4x2"],
      [`${name}: dense xs[1] NaN`, () => fn(params, [Matrix.zeros(4, 2), withLast(Matrix.zeros(4, 2), NaN)], ys), RangeError, "'xs[1]' must be finite: value at (3, 1) is NaN"],
      [`${name}: dense ys[0] Infinity`, () => fn(params, xs, [withLast(Matrix.zeros(5, 2), Infinity), [0, 0]]), RangeError, "'ys[0]' must be finite: value at (4, 1) is Infinity"],
      [`${name}: token ys with the linear head`, () => fn(params, xs, ys, { head: "linear" }), TypeError, "'ys[0]' must be a 5x2 Matrix for the linear head"],
      [`${name}: a0 wrong rows`, () => fn(params, xs, ys, { a0: Matrix.zeros(2, 2) }), RangeError, "'a0' has shape 2x2, expected 3x2"],
      [`${name}: a0 sets m = 3 but xs have 2`, () => fn(params, xs, ys, { a0: Matrix.zeros(3, 3) }), RangeError, "'xs[0]' has 2 token indices, expected 3"],
      [`${name}: a0 NaN`, () => fn(params, xs, ys, { a0: withLast(Matrix.zeros(3, 2), NaN) }), RangeError, "'a0' must be finite: value at (2, 1) is NaN"],
      [`${name}: a0 a string`, () => fn(params, xs, ys, { a0: bad("a") }), TypeError, "'a0' must be a Matrix: got string a"],
      [`${name}: params Infinity`, () => fn(withValue(params, "Wya", Infinity), xs, ys), RangeError, "'params.Wya' must be finite: value at (4, 2) is Infinity"],
      [`${name}: params null`, () => fn(bad(null), xs, ys), TypeError, "'params' must be an object"],
      [`${name}: unknown head`, () => fn(params, xs, ys, { head: bad("sigmoid") }), RangeError, `Cannot ${name} as 'head' must be "softmax" or "linear": current value is sigmoid`],
    ]);
  }
});

Deno.test("initParams() rejects bad sizes and options with an error naming the value", async (t) => {
  // deno-fmt-ignore
  await runCases(t, [
    ["sizes null", () => initParams(bad(null)), TypeError, "Cannot initParams as 'sizes' must be an object { nx, na, ny }: got null"],
    ["sizes a string", () => initParams(bad("3")), TypeError, "got string 3"],
    ["nx = 0", () => initParams({ nx: 0, na: 2, ny: 2 }), RangeError, "Cannot initParams as 'nx' must be an integer >= 1: current value is 0"],
    ["na = -3", () => initParams({ nx: 2, na: -3, ny: 2 }), RangeError, "'na' must be an integer >= 1: current value is -3"],
    ["ny = 1.5", () => initParams({ nx: 2, na: 2, ny: 1.5 }), RangeError, "'ny' must be an integer >= 1: current value is 1.5"],
    ["ny = NaN", () => initParams({ nx: 2, na: 2, ny: NaN }), RangeError, "'ny' must be an integer >= 1: current value is NaN"],
    ["na = Infinity", () => initParams({ nx: 2, na: Infinity, ny: 2 }), RangeError, "current value is Infinity"],
    ["nx a string", () => initParams({ nx: bad("two"), na: 2, ny: 2 }), RangeError, "'nx' must be an integer >= 1: current value is two"],
    ["nx missing", () => initParams(bad({ na: 2, ny: 2 })), RangeError, "'nx' must be an integer >= 1: current value is undefined"],
    ["init unknown", () => initParams({ nx: 2, na: 2, ny: 2 }, { init: bad("he") }), RangeError, `'init' must be "xavier" or "randn": current value is he`],
    ["scale 0", () => initParams({ nx: 2, na: 2, ny: 2 }, { scale: 0 }), RangeError, "'scale' must be a finite number > 0: current value is 0"],
    ["scale NaN", () => initParams({ nx: 2, na: 2, ny: 2 }, { scale: NaN }), RangeError, "current value is NaN"],
    ["scale Infinity", () => initParams({ nx: 2, na: 2, ny: 2 }, { scale: Infinity }), RangeError, "current value is Infinity"],
    ["seed 0.5", () => initParams({ nx: 2, na: 2, ny: 2 }, { seed: 0.5 }), RangeError, "'seed' must be a safe integer: current value is 0.5"],
  ]);
});

Deno.test("fromRows() and new Matrix() reject bad input with an error naming the value", async (t) => {
  // deno-fmt-ignore
  await runCases(t, [
    ["fromRows(null)", () => fromRows(bad(null)), TypeError, "expected an array of rows, got null"],
    ["fromRows(string)", () => fromRows(bad("ab")), TypeError, "expected an array of rows, got string ab"],
    ["fromRows([])", () => fromRows([]), RangeError, "expected a non-empty array, got an array of length 0"],
    ["fromRows([[]])", () => fromRows([[]]), RangeError, "row 0 must be a non-empty array"],
    ["fromRows([1, 2])", () => fromRows(bad([1, 2])), TypeError, "row 0 must be an array, got number 1"],
    ["fromRows with a null row", () => fromRows(bad([[1], null])), TypeError, "row 1 must be an array, got null"],
    ["fromRows ragged", () => fromRows([[1, 2], [3]]), RangeError, "row 1 has length 1, expected 2"],
    ["Matrix rows 0", () => new Matrix(0, 2), RangeError, "'rows' must be an integer >= 1: current value is 0"],
    ["Matrix rows 1.5", () => new Matrix(1.5, 2), RangeError, "current value is 1.5"],
    ["Matrix cols -1", () => new Matrix(2, -1), RangeError, "'cols' must be an integer >= 1: current value is -1"],
    ["Matrix cols NaN", () => new Matrix(2, NaN), RangeError, "'cols' must be an integer >= 1: current value is NaN"],
    ["Matrix rows a string", () => new Matrix(bad("2"), 2), RangeError, "'rows' must be an integer >= 1: current value is 2"],
    ["Matrix data too short", () => new Matrix(2, 2, new Float64Array(3)), RangeError, "Cannot create a 2x2 Matrix from 3 values: expected 4"],
    ["Matrix data a plain array", () => new Matrix(1, 2, bad([1, 2])), TypeError, "'data' must be a Float64Array: got an array of length 2"],
    ["Matrix data a Float32Array", () => new Matrix(1, 2, bad(new Float32Array(2))), TypeError, "got a Float32Array"],
  ]);
});
