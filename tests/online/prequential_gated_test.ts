/** prequential() and LiveLearner take GRU, LSTM and stacked cells by name, and resume them from their snapshots. */
import { assert, assertEquals, assertLess, assertThrows } from "@std/assert";
import { from } from "rxjs";
import { prequential } from "../../src/online/prequential.ts";
import type {
  PrequentialInput,
  PrequentialOptions,
  PrequentialSnapshot,
} from "../../src/online/prequential.ts";
import { LiveLearner } from "../../src/online/live_learner.ts";
import { Random } from "../../src/math/random.ts";
import { decodeValue, encodeValue } from "../../src/io/checkpoint/codec.ts";
import { assertBitEqual } from "../_bit_equal.ts";
import type { ParamSet } from "../../src/cells/types.ts";

/** Tokens of the cycle 0 → 1 → 2, each labelled with the next. */
const EVENTS: PrequentialInput[] = Array.from({ length: 120 }, (_, t) => ({ x: [t % 3], y: [(t + 1) % 3] }));
const STACK: PrequentialOptions = {
  cell: "gru",
  layers: [6, 6],
  embed: 3,
  sizes: { nx: 3, na: 6, ny: 3 },
  k1: 4,
  k2: 6,
  seed: 2,
  optimizer: { type: "adam", learningRate: 0.03 },
};

function run(events: readonly PrequentialInput[], options: PrequentialOptions) {
  let params: ParamSet = {}, half: PrequentialSnapshot | undefined, accuracy = NaN, i = 0;
  from(events).pipe(prequential(options)).subscribe((e) => {
    if (++i === events.length / 2) half = e.snapshot();
    params = e.params;
    accuracy = e.metrics.window.accuracy!;
  });
  return { params, half: half!, accuracy };
}

Deno.test("prequential() builds a stacked GRU from 'cell', 'layers' and 'embed', learns, and resumes bit for bit", () => {
  const straight = run(EVENTS, STACK);
  assertEquals(straight.half.cell!.kind, "stack");
  assertLess(0.8, straight.accuracy);
  const resumed = run(EVENTS.slice(60), {
    resume: decodeValue(encodeValue(straight.half)) as PrequentialSnapshot,
  });
  assertBitEqual(resumed.params, straight.params);
  const error = assertThrows(
    () => prequential({ cell: "gru", layers: [6], resume: straight.half }),
    RangeError,
    "Cannot resume prequential() with a cell of kind gru: the snapshot was made with stack",
  );
  assert(!error.message.includes("\n"));
  assertThrows(
    () => prequential({ cell: "gru", layers: [6, 4], embed: 3, resume: straight.half }),
    RangeError,
    "Cannot resume prequential() with cell",
  );
  assertThrows(() => prequential({ ...STACK, cell: "tanh" as "gru" }), RangeError, "current value is tanh");
});

Deno.test("LiveLearner takes cell 'gru' or 'lstm' (the vanilla RNN stays the default) and resumes it exactly", () => {
  const rng = new Random(4);
  const readings = Array.from({ length: 160 }, (_, i) => ({
    key: String(i % 2),
    values: [40 + Math.sin(i / 9) + 0.05 * rng.normal(), 20 + 0.05 * rng.normal()],
  }));
  assertEquals(new LiveLearner({ features: ["h"] }).cell, { kind: "rnn", head: "linear" });
  for (const cell of ["gru", "lstm"] as const) {
    const options = { features: ["h", "t"], cell, hiddenSize: 6, k2: 5, warmup: 10 };
    const a = new LiveLearner(options);
    try {
      assertEquals(a.cell, { kind: cell, head: "linear" });
      readings.slice(0, 90).forEach((r) => a.observe(r.key, r.values));
      const state = a.getState();
      assertEquals(state.series["0"].preq.cell, { kind: cell, head: "linear" });
      const b = new LiveLearner(options, decodeValue(encodeValue(state)) as typeof state);
      try {
        for (const r of readings.slice(90)) {
          assertEquals(b.observe(r.key, r.values), a.observe(r.key, r.values));
        }
        assertBitEqual(b.getState().series["1"].preq.params, a.getState().series["1"].preq.params);
      } finally {
        b.close();
      }
    } finally {
      a.close();
    }
  }
});
