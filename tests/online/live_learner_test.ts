import { assert, assertEquals, assertThrows } from "@std/assert";
import { LiveLearner } from "../../src/online/live_learner.ts";
import type { LiveLearnerState } from "../../src/online/live_learner.ts";
import { decodeValue, encodeValue } from "../../src/io/checkpoint/codec.ts";

const wave = (i: number) => [20 + Math.sin(i / 5), 30 + Math.cos(i / 7)];

Deno.test("LiveLearner reports persistence and online AR beside the model, and its forecast never trails the linear path by much", () => {
  const learner = new LiveLearner({ features: ["h", "t"], hiddenSize: 6, k2: 6 });
  for (let i = 0; i < 600; i++) learner.observe("a", wave(i), 0);
  const [h, t] = learner.metrics().baselines;
  assertEquals([h.field, t.field], ["h", "t"]);
  assert(h.count === 599 && t.count === 599);
  assert(h.skill < 1.02 && t.skill < 1.02, `skill ${h.skill} ${t.skill}`);
  assertEquals(learner.confusion.fp, 0);
  learner.close();
});

Deno.test("LiveLearner with cell 'gru' continues exactly from its state, new parts included", () => {
  const options = {
    features: ["h", "t"],
    hiddenSize: 4,
    k2: 4,
    cell: "gru" as const,
    adapt: "reset" as const,
  };
  const a = new LiveLearner(options);
  for (let i = 0; i < 150; i++) a.observe(String(i % 2), wave(i));
  assertEquals(a.cell.kind, "gru");
  const state = decodeValue(JSON.parse(JSON.stringify(encodeValue(a.getState())))) as LiveLearnerState;
  const b = new LiveLearner(options, state);
  for (let i = 150; i < 200; i++) {
    assertEquals(b.observe(String(i % 2), wave(i)), a.observe(String(i % 2), wave(i)));
  }
  assertEquals(b.drifts, a.drifts);
  assertEquals(b.metrics().baselines, a.metrics().baselines);
  assertThrows(() => new LiveLearner({ features: ["h"], adapt: "boost" as "none" }), RangeError);
  assertThrows(() => a.observe("0", [1]), RangeError);
  a.close();
  b.close();
});
