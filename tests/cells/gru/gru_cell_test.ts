import { assert, assertEquals, assertThrows } from "@std/assert";
import { bptt } from "../../../src/cells/bptt.ts";
import { gruCell } from "../../../src/cells/gru/gru_cell.ts";
import { Matrix } from "../../../src/math/matrix.ts";
import {
  bpttMatchesTorch,
  gradientsMatchFiniteDifferences,
  resetColumnStartsFromZero,
  tbpttMatchesTorch,
} from "../_gated_cell_checks.ts";
import type { GatedSubject } from "../_gated_cell_checks.ts";

const NAMES = ["Wra", "Wrx", "br", "Wza", "Wzx", "bz", "Wna", "Wnx", "bna", "bnx", "Wya", "by"];
const SUBJECT: GatedSubject = {
  kind: "gru",
  cell: gruCell,
  names: NAMES,
  reported: ["loss", "aLast", "da0"],
};

Deno.test("gruCell() through bptt() reproduces every PyTorch float64 GRU case within 1e-9", (t) =>
  bpttMatchesTorch(t, SUBJECT));

Deno.test("gruCell() through forwardSteps() and tbptt() matches every PyTorch TBPTT(k1, k2) window within 1e-9", (t) =>
  tbpttMatchesTorch(t, SUBJECT));

Deno.test("gruCell() gradients agree with finite differences for every parameter and a0", (t) => {
  const a0 = new Matrix(3, 2, Float64Array.from({ length: 6 }, (_, q) => 0.3 * Math.sin(q + 1)));
  return gradientsMatchFiniteDifferences(t, SUBJECT, { a0 });
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
  const { cell, params, prev } = resetColumnStartsFromZero(SUBJECT);
  assertEquals(prev.rows, 4);
  const whole = bptt(params, [Int32Array.of(1, 2)], [Int32Array.of(0, 0)], { cell, a0: prev });
  assert(whole.da0.get(0, 1) !== 0);
});
