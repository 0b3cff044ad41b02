/** train() builds GRU, LSTM and stacked cells from `cell`, `layers` and `embed`, and resumes them from a snapshot's spec. */
import { assert, assertEquals, assertLess, assertThrows } from "@std/assert";
import { from } from "rxjs";
import { train } from "../../src/stream/train.ts";
import type { TrainerSnapshot, TrainEvent, TrainOptions } from "../../src/stream/train.ts";
import type { Sample } from "../../src/stream/forward_steps.ts";
import { gruCell } from "../../src/cells/gru/gru_cell.ts";
import { createCell } from "../../src/cells/create_cell.ts";
import { gradCheck } from "../../src/cells/grad_check.ts";
import type { ParamSet } from "../../src/cells/types.ts";
import { cloneData } from "../../src/math/clone_data.ts";
import { assertBitEqual } from "../_bit_equal.ts";
import { cycleSamples } from "../_sync.ts";

// deno-lint-ignore no-explicit-any
type AnyOptions = TrainOptions<any, any, any>;
// deno-lint-ignore no-explicit-any
type AnyEvent = TrainEvent<any, any> & { snap: TrainerSnapshot<ParamSet, unknown> };

/** The events, each with its snapshot taken while it is handled. */
function run(samples: readonly Sample[], options: AnyOptions): AnyEvent[] {
  const out: AnyEvent[] = [];
  from(samples).pipe(train(options)).subscribe((e) => out.push({ ...e, snap: e.snapshot() }));
  return out;
}

const STACK: AnyOptions = {
  cell: "gru",
  layers: [8, 8],
  embed: 4,
  sizes: { nx: 3, ny: 3 },
  k1: 4,
  k2: 6,
  seed: 3,
  optimizer: { type: "adam", learningRate: 0.02 },
};

Deno.test("train() builds a named cell: 'gru' and 'lstm' alone, a stack with 'layers' or 'embed'", async (t) => {
  const samples = cycleSamples(40);
  await t.step('cell "gru" is gruCell(): the same run, bit for bit', () => {
    const sizes = { nx: 3, na: 5, ny: 3 };
    const named = run(samples, { cell: "gru", sizes, k1: 4 });
    const object = run(samples, { cell: gruCell(), sizes, k1: 4 });
    assertEquals(named.at(-1)!.snap.cell, { kind: "gru", head: "softmax" });
    assertBitEqual(named.at(-1)!.params, object.at(-1)!.params);
  });
  await t.step('cell "lstm" carries [a; c]', () => {
    const snap = run(samples, { cell: "lstm", sizes: { nx: 3, na: 5, ny: 3 }, k1: 4 }).at(-1)!.snap;
    assertEquals(snap.cell.kind, "lstm");
    assertEquals(snap.hidden.rows, 10);
  });
  await t.step("layers [8, 8] with embed 4 is a stacked GRU whose n_a is the top layer's", () => {
    const events = run(samples, STACK);
    const snap = events.at(-1)!.snap;
    assertEquals(snap.cell, {
      kind: "stack",
      head: "softmax",
      layers: [{ cell: "gru", size: 8 }, { cell: "gru", size: 8 }],
      embed: 4,
    });
    assertEquals(snap.params.E.shape, "4x3");
    assertEquals(snap.hidden.rows, 16);
    assertLess(events.at(-1)!.meanLoss, events[0].meanLoss);
  });
  await t.step("bad options are one error at creation, naming the value", () => {
    assertThrows(() => train({ ...STACK, sizes: { nx: 3, na: 6, ny: 3 } }), RangeError, "top layer's size 8");
    assertThrows(
      () => train({ ...STACK, layers: [8, 0] }),
      RangeError,
      "'layers[1]' must be an integer >= 1",
    );
    assertThrows(() => train({ ...STACK, embed: -1 }), RangeError, "current value is -1");
    assertThrows(() => train({ ...STACK, cell: gruCell() }), RangeError, "go with a cell's name");
  });
});

Deno.test("train() resumes a stacked GRU from its snapshot's spec, and refuses another cell in one line", async (t) => {
  const samples = cycleSamples(48);
  let half: TrainerSnapshot<ParamSet, unknown> | undefined;
  let straight: ParamSet = {};
  from(samples).pipe(train(STACK)).subscribe((e) => {
    if (e.window === 6) half = e.snapshot();
    straight = cloneData(e.params);
  });
  await t.step("without 'cell' the spec rebuilds it: N windows straight = N/2 + resume, bit for bit", () => {
    const resumed = run(samples.slice(24), { resume: cloneData(half!) }).at(-1)!;
    assertBitEqual(resumed.params, straight);
  });
  await t.step("the same 'cell', 'layers' and 'embed' are accepted", () => {
    const { cell, layers, embed } = STACK;
    const resumed = run(samples.slice(24), { cell, layers, embed, resume: cloneData(half!) }).at(-1)!;
    assertBitEqual(resumed.params, straight);
  });
  await t.step("another cell or other layers is one RangeError naming both specs", () => {
    for (const other of [{ cell: "lstm" as const, layers: [8, 8], embed: 4 }, { cell: "gru" as const }]) {
      const error = assertThrows(
        () => train({ ...other, resume: half! }),
        RangeError,
        "Cannot resume train() with cell",
      );
      assert(!error.message.includes("\n"));
      assert(error.message.includes('"kind":"stack"'));
    }
  });
});

Deno.test("train()'s built stack passes the finite-difference gradient check", () => {
  const snap = run(cycleSamples(8), STACK).at(-1)!.snap;
  const cell = createCell(snap.cell);
  const { maxRelError } = gradCheck(snap.params, [[0], [1], [2], [0]], [[1], [2], [0], [1]], { cell });
  assertLess(maxRelError, 1e-5);
});
