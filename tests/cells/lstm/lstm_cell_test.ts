import { assert, assertEquals, assertLess, assertThrows } from "@std/assert";
import { bptt } from "../../../src/cells/bptt.ts";
import { gradCheck } from "../../../src/cells/grad_check.ts";
import { lstmCell } from "../../../src/cells/lstm/lstm_cell.ts";
import { createJsBackend } from "../../../src/kernels/js_backend.ts";
import { Matrix } from "../../../src/math/matrix.ts";
import { bpttErrors, gatedFixture, randomSequence, tbpttErrors } from "../../_gated_fixture.ts";

// relative error per element (absolute where the reference is below 1e-12), as tests/_fixture.ts
const TOL = 1e-9;
const NAMES = ["Wfa", "Wfx", "bf", "Wia", "Wix", "bi", "Wca", "Wcx", "bc", "Woa", "Wox", "bo", "Wya", "by"];

Deno.test("lstmCell() through bptt() reproduces every PyTorch float64 LSTM case within 1e-9", async (t) => {
  const cases = gatedFixture.bptt.filter((c) => c.cell === "lstm");
  assertEquals(cases.length, 5);
  for (const c of cases) {
    await t.step(`${c.name} (m=${c.m}, T=${c.xs.length}, ${c.targets} targets)`, () => {
      const { rel } = bpttErrors(lstmCell(), c);
      assertEquals(Object.keys(rel).length, 5 + NAMES.length); // loss, aLast, cLast, da0, dc0 and every gradient
      for (const [k, e] of Object.entries(rel)) assertLess(e, TOL, k);
    });
  }
});

Deno.test("lstmCell() through forwardSteps() and tbptt() matches every PyTorch TBPTT(k1, k2) window within 1e-9", async (t) => {
  for (const c of gatedFixture.tbptt.filter((c) => c.cell === "lstm")) {
    await t.step(`${c.name} (k1=${c.k1}, k2=${c.k2}, m=${c.m}, L=${c.L})`, () => {
      const { t: ts, worst } = tbpttErrors(lstmCell(), c);
      assertEquals(ts, c.windows.map((w) => w.t));
      worst.forEach((e, i) => assertLess(e, TOL, `window at t=${ts[i]}`));
    });
  }
});

Deno.test("lstmCell() gradients agree with finite differences for every parameter, a0 and c0", async (t) => {
  const variants = [
    { inputs: "dense", targets: "onehot", head: "softmax" },
    { inputs: "tokens", targets: "tokens", head: "softmax" },
    { inputs: "dense", targets: "soft", head: "softmax" },
    { inputs: "tokens", targets: "raw", head: "softmax" },
    { inputs: "dense", targets: "raw", head: "linear" },
  ] as const;
  for (const v of variants) {
    await t.step(`${v.inputs} inputs, ${v.targets} targets, ${v.head} head`, () => {
      const cell = lstmCell({ head: v.head });
      const params = cell.init({ nx: 4, na: 3, ny: 5 }, { seed: 3 });
      for (const name of ["bf", "bi", "bc", "bo", "by"]) params[name as "bf"].data.fill(0.1);
      const { xs, ys } = randomSequence({ nx: 4, ny: 5, m: 2, T: 4 }, v);
      const a0 = new Matrix(3, 2, Float64Array.from({ length: 6 }, (_, q) => 0.3 * Math.sin(q + 1)));
      const c0 = new Matrix(3, 2, Float64Array.from({ length: 6 }, (_, q) => 0.4 * Math.cos(q + 2)));
      const { entries, maxRelError } = gradCheck(params, xs, ys, { cell, a0, c0 });
      assertEquals(Object.keys(entries).sort(), [...NAMES, "a0", "c0"].sort());
      assertLess(maxRelError, 1e-6);
    });
  }
});

Deno.test("lstmCell() spec() round-trips, init() draws seeded Xavier weights and zero biases", () => {
  const cell = lstmCell({ head: "linear" });
  assertEquals(cell.spec(), { kind: "lstm", head: "linear" });
  assertEquals(lstmCell(cell.spec() as { head: "linear" }).spec(), cell.spec());
  const p = cell.init({ nx: 4, na: 3, ny: 2 }, { seed: 5 });
  assertEquals(cell.paramNames(p), NAMES);
  assertEquals(cell.sizes(p), { nx: 4, na: 3, ny: 2, state: 6 });
  assertEquals(p.Wcx.shape, "3x4");
  assertEquals(p.Woa.shape, "3x3");
  assert(p.bf.data.every((v) => v === 0) && p.Wia.data.some((v) => v !== 0));
  assertEquals(cell.init({ nx: 4, na: 3, ny: 2 }, { seed: 5 }).Wox.data, p.Wox.data);
  assertEquals(cell.slots(p, cell.zeroGrads(p)).map((s) => s.name), NAMES);
});

Deno.test("lstmCell() rejects an unknown head and names a missing or misshapen parameter", () => {
  assertThrows(() => lstmCell({ head: "tanh" as "linear" }), RangeError, "'head'");
  const cell = lstmCell();
  const p = cell.init({ nx: 4, na: 3, ny: 2 });
  assertThrows(() => cell.sizes({ ...p, bo: undefined as unknown as Matrix }), TypeError, "'params.bo'");
  assertThrows(() => cell.sizes({ ...p, Wfa: new Matrix(3, 4) }), RangeError, "params.Wfa");
  assertThrows(() => cell.init({ nx: 0, na: 3, ny: 2 }), RangeError, "'nx'");
});

Deno.test("lstmCell() starts a reset column from zero and passes no gradient back through it", () => {
  const cell = lstmCell();
  const params = cell.init({ nx: 3, na: 4, ny: 3 }, { seed: 2 });
  const runtime = cell.bind(createJsBackend());
  const prev = new Matrix(8, 2, Float64Array.from({ length: 16 }, (_, q) => 0.5 - q / 10));
  const withReset = runtime.allocCache(params, 2), fromZero = runtime.allocCache(params, 2);
  runtime.forward(params, Int32Array.of(1, 2), prev, Uint8Array.of(0, 1), withReset);
  runtime.forward(params, Int32Array.of(1, 2), new Matrix(8, 2), null, fromZero);
  for (let i = 0; i < 8; i++) {
    assertEquals(cell.stateOf(withReset).get(i, 1), cell.stateOf(fromZero).get(i, 1));
  }
  const dPrev = new Float64Array(16);
  runtime.backward(params, withReset, Int32Array.of(0, 0), null, cell.zeroGrads(params), dPrev);
  for (let i = 0; i < 8; i++) {
    assertEquals(dPrev[i * 2 + 1], 0);
    assert(dPrev[i * 2] !== 0);
  }
  const a0 = new Matrix(4, 2, prev.data.slice(0, 8)), c0 = new Matrix(4, 2, prev.data.slice(8));
  const whole = bptt(params, [Int32Array.of(1, 2)], [Int32Array.of(0, 0)], { cell, a0, c0 });
  assert(whole.da0.get(0, 1) !== 0 && whole.dc0?.get(0, 1) !== 0);
});

Deno.test("bptt() with lstmCell() takes a0 and c0 as n_a×m parts and reports aLast/cLast and da0/dc0 apart", () => {
  const cell = lstmCell();
  const params = cell.init({ nx: 3, na: 2, ny: 3 }, { seed: 4 });
  const xs = [Int32Array.of(0), Int32Array.of(2)], ys = [Int32Array.of(1), Int32Array.of(0)];
  const zero = bptt(params, xs, ys, { cell });
  const explicit = bptt(params, xs, ys, { cell, a0: new Matrix(2, 1), c0: new Matrix(2, 1) });
  assertEquals(explicit.loss, zero.loss);
  assertEquals([zero.aLast.shape, zero.cLast?.shape, zero.da0.shape, zero.dc0?.shape], [
    "2x1",
    "2x1",
    "2x1",
    "2x1",
  ]);
  assertThrows(() => bptt(params, xs, ys, { cell, c0: new Matrix(4, 1) }), RangeError, "'c0'");
  const rnnParams = {
    Wax: new Matrix(2, 3),
    Waa: new Matrix(2, 2),
    ba: new Matrix(2, 1),
    Wya: new Matrix(3, 2),
    by: new Matrix(3, 1),
  };
  assertThrows(() => bptt(rnnParams, xs, ys, { c0: new Matrix(2, 1) }), TypeError, "'c0'");
  assertEquals(bptt(rnnParams, xs, ys).cLast, undefined);
});
