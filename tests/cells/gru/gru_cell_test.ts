import { assert, assertEquals, assertLess, assertThrows } from "@std/assert";
import { bptt } from "../../../src/cells/bptt.ts";
import { gradCheck } from "../../../src/cells/grad_check.ts";
import { gruCell } from "../../../src/cells/gru/gru_cell.ts";
import { createJsBackend } from "../../../src/kernels/js_backend.ts";
import { Matrix } from "../../../src/math/matrix.ts";
import { bpttErrors, gatedFixture, randomSequence, tbpttErrors } from "../../_gated_fixture.ts";

// relative error per element (absolute where the reference is below 1e-12), as tests/_fixture.ts
const TOL = 1e-9;
const NAMES = ["Wra", "Wrx", "br", "Wza", "Wzx", "bz", "Wna", "Wnx", "bna", "bnx", "Wya", "by"];

Deno.test("gruCell() through bptt() reproduces every PyTorch float64 GRU case within 1e-9", async (t) => {
  const cases = gatedFixture.bptt.filter((c) => c.cell === "gru");
  assertEquals(cases.length, 5);
  for (const c of cases) {
    await t.step(`${c.name} (m=${c.m}, T=${c.xs.length}, ${c.targets} targets)`, () => {
      const { rel } = bpttErrors(gruCell(), c);
      assertEquals(Object.keys(rel).length, 3 + NAMES.length); // loss, aLast, da0 and every gradient
      for (const [k, e] of Object.entries(rel)) assertLess(e, TOL, k);
    });
  }
});

Deno.test("gruCell() through forwardSteps() and tbptt() matches every PyTorch TBPTT(k1, k2) window within 1e-9", async (t) => {
  for (const c of gatedFixture.tbptt.filter((c) => c.cell === "gru")) {
    await t.step(`${c.name} (k1=${c.k1}, k2=${c.k2}, m=${c.m}, L=${c.L})`, () => {
      const { t: ts, worst } = tbpttErrors(gruCell(), c);
      assertEquals(ts, c.windows.map((w) => w.t));
      worst.forEach((e, i) => assertLess(e, TOL, `window at t=${ts[i]}`));
    });
  }
});

Deno.test("gruCell() gradients agree with finite differences for every parameter and a0", async (t) => {
  const variants = [
    { inputs: "dense", targets: "onehot", head: "softmax" },
    { inputs: "tokens", targets: "tokens", head: "softmax" },
    { inputs: "dense", targets: "soft", head: "softmax" },
    { inputs: "tokens", targets: "raw", head: "softmax" },
    { inputs: "dense", targets: "raw", head: "linear" },
  ] as const;
  for (const v of variants) {
    await t.step(`${v.inputs} inputs, ${v.targets} targets, ${v.head} head`, () => {
      const cell = gruCell({ head: v.head });
      const params = cell.init({ nx: 4, na: 3, ny: 5 }, { seed: 3 });
      for (const name of ["br", "bz", "bna", "bnx", "by"]) params[name as "br"].data.fill(0.1);
      const { xs, ys } = randomSequence({ nx: 4, ny: 5, m: 2, T: 4 }, v);
      const a0 = new Matrix(3, 2, Float64Array.from({ length: 6 }, (_, q) => 0.3 * Math.sin(q + 1)));
      const { entries, maxRelError } = gradCheck(params, xs, ys, { cell, a0 });
      assertEquals(Object.keys(entries).sort(), [...NAMES, "a0"].sort());
      assertLess(maxRelError, 1e-6);
    });
  }
});

Deno.test("gruCell() spec() round-trips, init() draws seeded Xavier weights and zero biases", () => {
  const cell = gruCell({ head: "linear" });
  assertEquals(cell.spec(), { kind: "gru", head: "linear" });
  assertEquals(gruCell(cell.spec() as { head: "linear" }).spec(), cell.spec());
  const p = cell.init({ nx: 4, na: 3, ny: 2 }, { seed: 5 });
  assertEquals(cell.paramNames(p), NAMES);
  assertEquals(cell.sizes(p), { nx: 4, na: 3, ny: 2, state: 3 });
  assertEquals(p.Wrx.shape, "3x4");
  assertEquals(p.Wna.shape, "3x3");
  assert(p.bna.data.every((v) => v === 0) && p.Wza.data.some((v) => v !== 0));
  assertEquals(cell.init({ nx: 4, na: 3, ny: 2 }, { seed: 5 }).Wnx.data, p.Wnx.data);
  assertEquals(cell.slots(p, cell.zeroGrads(p)).map((s) => s.name), NAMES);
});

Deno.test("gruCell() rejects an unknown head and names a missing or misshapen parameter", () => {
  assertThrows(() => gruCell({ head: "tanh" as "linear" }), RangeError, "'head'");
  const cell = gruCell();
  const p = cell.init({ nx: 4, na: 3, ny: 2 });
  assertThrows(() => cell.sizes({ ...p, bnx: undefined as unknown as Matrix }), TypeError, "'params.bnx'");
  assertThrows(() => cell.sizes({ ...p, Wza: new Matrix(3, 4) }), RangeError, "params.Wza");
  assertThrows(() => cell.init({ nx: 0, na: 3, ny: 2 }), RangeError, "'nx'");
});

Deno.test("gruCell() starts a reset column from zero and passes no gradient back through it", () => {
  const cell = gruCell();
  const params = cell.init({ nx: 3, na: 4, ny: 3 }, { seed: 2 });
  const runtime = cell.bind(createJsBackend());
  const prev = new Matrix(4, 2, Float64Array.from({ length: 8 }, (_, q) => 0.5 - q / 10));
  const withReset = runtime.allocCache(params, 2), fromZero = runtime.allocCache(params, 2);
  runtime.forward(params, Int32Array.of(1, 2), prev, Uint8Array.of(0, 1), withReset);
  runtime.forward(params, Int32Array.of(1, 2), new Matrix(4, 2), null, fromZero);
  for (let i = 0; i < 4; i++) {
    assertEquals(cell.stateOf(withReset).get(i, 1), cell.stateOf(fromZero).get(i, 1));
  }
  const dPrev = new Float64Array(8);
  runtime.backward(params, withReset, Int32Array.of(0, 0), null, cell.zeroGrads(params), dPrev);
  for (let i = 0; i < 4; i++) {
    assertEquals(dPrev[i * 2 + 1], 0);
    assert(dPrev[i * 2] !== 0);
  }
  const whole = bptt(params, [Int32Array.of(1, 2)], [Int32Array.of(0, 0)], { cell, a0: prev });
  assert(whole.da0.get(0, 1) !== 0);
});
