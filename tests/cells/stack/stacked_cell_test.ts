import { assert, assertEquals, assertLess, assertThrows } from "@std/assert";
import { from } from "rxjs";
import { bptt } from "../../../src/cells/bptt.ts";
import { gradCheck } from "../../../src/cells/grad_check.ts";
import { gruCell } from "../../../src/cells/gru/gru_cell.ts";
import { stackedCell } from "../../../src/cells/stack/stacked_cell.ts";
import type { StackedCellOptions } from "../../../src/cells/stack/stacked_cell.ts";
import type { GradSet, ParamSet } from "../../../src/cells/types.ts";
import { Matrix } from "../../../src/math/matrix.ts";
import { forwardSteps } from "../../../src/stream/forward_steps.ts";
import { tbptt } from "../../../src/stream/tbptt.ts";
import { randomSequence } from "../../_gated_fixture.ts";

/** Non-zero biases, so that every bias gradient is exercised. */
function withBiases(params: ParamSet): ParamSet {
  for (const m of Object.values(params)) if (m.cols === 1) m.data.fill(0.1);
  return params;
}

Deno.test("stackedCell() gradients agree with finite differences for every parameter, E and the state", async (t) => {
  const variants: {
    name: string;
    options: StackedCellOptions;
    inputs: "dense" | "tokens";
    targets: "tokens" | "soft" | "raw";
  }[] = [
    {
      name: "GRU over LSTM with an embedding, token inputs",
      options: { layers: [{ cell: "gru", size: 3 }, { cell: "lstm", size: 4 }], embed: 2 },
      inputs: "tokens",
      targets: "tokens",
    },
    {
      name: "LSTM over GRU over tanh, dense inputs, soft targets",
      options: { layers: [{ cell: "rnn", size: 3 }, { cell: "gru", size: 2 }, { cell: "lstm", size: 3 }] },
      inputs: "dense",
      targets: "soft",
    },
    {
      name: "two LSTMs, token inputs without an embedding",
      options: { layers: [3, 3], cell: "lstm" },
      inputs: "tokens",
      targets: "tokens",
    },
    {
      name: "dense inputs through an embedding, linear head",
      options: { layers: [3, 2], embed: 3, head: "linear" },
      inputs: "dense",
      targets: "raw",
    },
  ];
  for (const v of variants) {
    await t.step(v.name, () => {
      const cell = stackedCell(v.options);
      const top = v.options.layers.at(-1)!;
      const na = typeof top === "number" ? top : top.size;
      const params = withBiases(cell.init({ nx: 4, na, ny: 5 }, { seed: 9 }));
      const { xs, ys } = randomSequence({ nx: 4, ny: 5, m: 2, T: 4 }, v);
      const state = cell.sizes(params).state;
      const a0 = new Matrix(
        state,
        2,
        Float64Array.from({ length: 2 * state }, (_, q) => 0.3 * Math.sin(q + 1)),
      );
      const { entries, maxRelError } = gradCheck(params, xs, ys, { cell, a0 });
      assertEquals(Object.keys(entries).sort(), [...cell.paramNames(params), "a0"].sort());
      if (v.options.embed) assert("E" in entries && entries.E.analytic.some((g) => g !== 0));
      assertLess(maxRelError, 1e-6);
    });
  }
});

Deno.test("stackedCell() names each layer's parameters with its 1-based index and stacks the layers' states", () => {
  const cell = stackedCell({ layers: [{ cell: "gru", size: 3 }, { cell: "lstm", size: 2 }], embed: 4 });
  const params = cell.init({ nx: 6, na: 2, ny: 6 }, { seed: 1 });
  const names = cell.paramNames(params);
  assertEquals(names.slice(0, 3), ["E", "Wra_1", "Wrx_1"]);
  assert(names.includes("Wfa_2") && names.at(-1) === "by");
  assertEquals(params.E.shape, "4x6");
  assertEquals(params.Wrx_1.shape, "3x4");
  assertEquals(params.Wfx_2.shape, "2x3");
  assertEquals(cell.sizes(params), { nx: 6, na: 2, ny: 6, state: 3 + 4 });
  assertEquals(cell.slots(params, cell.zeroGrads(params)).map((s) => s.name), names);
});

Deno.test("stackedCell() spec() is plain data that rebuilds the same cell", () => {
  const cell = stackedCell({ layers: [5, 4], cell: "lstm", embed: 3, head: "linear" });
  const spec = JSON.parse(JSON.stringify(cell.spec()));
  assertEquals(spec, {
    kind: "stack",
    head: "linear",
    layers: [{ cell: "lstm", size: 5 }, { cell: "lstm", size: 4 }],
    embed: 3,
  });
  const again = stackedCell(spec);
  assertEquals(again.spec(), cell.spec());
  const params = cell.init({ nx: 3, na: 4, ny: 2 }, { seed: 2 });
  const xs = [Int32Array.of(0), Int32Array.of(2)], ys = [new Matrix(2, 1), new Matrix(2, 1)];
  assertEquals(bptt(params, xs, ys, { cell: again }).loss, bptt(params, xs, ys, { cell }).loss);
});

Deno.test("stackedCell() with one GRU layer computes what gruCell() computes", () => {
  const stack = stackedCell({ layers: [4], cell: "gru" }), gru = gruCell();
  const params = withBiases(gru.init({ nx: 3, na: 4, ny: 3 }, { seed: 6 }));
  const renamed: ParamSet = {};
  for (const [k, v] of Object.entries(params)) renamed[k === "Wya" || k === "by" ? k : `${k}_1`] = v;
  const { xs, ys } = randomSequence({ nx: 3, ny: 3, m: 2, T: 5 }, { inputs: "tokens", targets: "tokens" });
  const a = bptt(renamed, xs, ys, { cell: stack }), b = bptt(params, xs, ys, { cell: gru });
  assertEquals(a.loss, b.loss);
  assertEquals(a.da0.data, b.da0.data);
  for (const k of Object.keys(params)) {
    const key = k === "Wya" || k === "by" ? k : `${k}_1`;
    assertEquals(a.grads[`d${key}`].data, (b.grads as GradSet)[`d${k}`].data, k);
  }
});

Deno.test("stackedCell() through forwardSteps() and tbptt() with k1 = k2 = T equals bptt() over the T steps", () => {
  const cell = stackedCell({ layers: [{ cell: "lstm", size: 3 }, { cell: "gru", size: 4 }], embed: 2 });
  const params = withBiases(cell.init({ nx: 5, na: 4, ny: 5 }, { seed: 8 }));
  const { xs, ys } = randomSequence({ nx: 5, ny: 5, m: 3, T: 6 }, { inputs: "tokens", targets: "tokens" });
  const seen: { loss: number; grads: Record<string, Float64Array>; aLast: Float64Array }[] = [];
  from(xs.map((x, i) => ({ x, y: ys[i] })))
    .pipe(forwardSteps({ params, cell }), tbptt({ params, cell, k1: 6, k2: 6 }))
    .subscribe((w) => {
      const grads: Record<string, Float64Array> = {};
      for (const [k, g] of Object.entries(w.grads as GradSet)) grads[k] = g.data.slice();
      seen.push({ loss: w.loss, grads, aLast: w.aLast.data.slice() });
    });
  const ref = bptt(params, xs, ys, { cell });
  assertEquals(seen.length, 1);
  assertEquals(seen[0].loss, ref.loss);
  assertEquals(seen[0].aLast, ref.aLast.data);
  for (const [k, g] of Object.entries(ref.grads)) assertEquals(seen[0].grads[k], g.data, k);
});

Deno.test("stackedCell() rejects empty layers, unknown kinds, bad sizes, a bad embedding and a mismatched na", () => {
  assertThrows(() => stackedCell({ layers: [] }), RangeError, "'layers'");
  assertThrows(() => stackedCell({ layers: 3 as unknown as number[] }), TypeError, "'layers'");
  assertThrows(
    () => stackedCell({ layers: [{ cell: "tcn" as "gru", size: 2 }] }),
    RangeError,
    "'layers[0].cell'",
  );
  assertThrows(() => stackedCell({ layers: [2, 0] }), RangeError, "'layers[1]'");
  assertThrows(() => stackedCell({ layers: [2], cell: "mlp" as "gru" }), RangeError, "'cell'");
  assertThrows(() => stackedCell({ layers: [2], embed: 1.5 }), RangeError, "'embed'");
  assertThrows(() => stackedCell({ layers: [2], head: "relu" as "linear" }), RangeError, "'head'");
  assertThrows(() => stackedCell({ layers: [2, 3] }).init({ nx: 2, na: 2, ny: 2 }), RangeError, "'na'");
  const cell = stackedCell({ layers: [2, 3], embed: 2 });
  const params = cell.init({ nx: 4, na: 3, ny: 2 });
  assertThrows(() => cell.sizes({ ...params, E: undefined as unknown as Matrix }), TypeError, "'params.E'");
  assertThrows(() => cell.sizes({ ...params, Wza_2: new Matrix(2, 3) }), RangeError, "params.Wza_2");
});
