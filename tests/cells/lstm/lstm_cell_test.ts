import { assert, assertEquals, assertThrows } from "@std/assert";
import { bptt } from "../../../src/cells/bptt.ts";
import { lstmCell } from "../../../src/cells/lstm/lstm_cell.ts";
import { Matrix } from "../../../src/math/matrix.ts";
import {
  bpttMatchesTorch,
  gradientsMatchFiniteDifferences,
  resetColumnStartsFromZero,
  tbpttMatchesTorch,
} from "../_gated_cell_checks.ts";
import type { GatedSubject } from "../_gated_cell_checks.ts";

const NAMES = ["Wfa", "Wfx", "bf", "Wia", "Wix", "bi", "Wca", "Wcx", "bc", "Woa", "Wox", "bo", "Wya", "by"];
const SUBJECT: GatedSubject = {
  kind: "lstm",
  cell: lstmCell,
  names: NAMES,
  reported: ["loss", "aLast", "cLast", "da0", "dc0"],
};

Deno.test("lstmCell() through bptt() reproduces every PyTorch float64 LSTM case within 1e-9", (t) =>
  bpttMatchesTorch(t, SUBJECT));

Deno.test("lstmCell() through forwardSteps() and tbptt() matches every PyTorch TBPTT(k1, k2) window within 1e-9", (t) =>
  tbpttMatchesTorch(t, SUBJECT));

Deno.test("lstmCell() gradients agree with finite differences for every parameter, a0 and c0", (t) => {
  const a0 = new Matrix(3, 2, Float64Array.from({ length: 6 }, (_, q) => 0.3 * Math.sin(q + 1)));
  const c0 = new Matrix(3, 2, Float64Array.from({ length: 6 }, (_, q) => 0.4 * Math.cos(q + 2)));
  return gradientsMatchFiniteDifferences(t, SUBJECT, { a0, c0 });
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
  const { cell, params, prev } = resetColumnStartsFromZero(SUBJECT);
  assertEquals(prev.rows, 8);
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
