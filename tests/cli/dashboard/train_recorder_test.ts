/** `TrainRecorder`, on a virtual clock. */
import { assertEquals, assertStrictEquals, assertThrows } from "@std/assert";
import { TrainRecorder } from "../../../src/cli/dashboard/train_recorder.ts";
import type { Metrics } from "../../../src/cli/dashboard/metrics.ts";

const WINDOW = { step: 0, smoothLoss: 3, meanLoss: 3, gradNorm: 1, stepsPerSecond: 50, learningRate: 0.01 };

Deno.test("TrainRecorder sends at most one point per period, and always one with a held-out figure or a sample", () => {
  let now = 100;
  const points: Metrics[] = [];
  const recorder = new TrainRecorder({ sinks: [(m) => points.push(m)], every: 1, now: () => now, keep: 3 });
  for (let i = 1; i <= 20; i++) {
    now = 100 + i * 0.25; // 5 seconds of windows, 4 a second
    recorder.record({ ...WINDOW, step: i * 10, smoothLoss: 3 - i / 50 });
  }
  assertStrictEquals(points.length, 5);
  assertEquals(points.map((p) => (p as { step: number }).step), [10, 50, 90, 130, 170]);
  recorder.record({ ...WINDOW, step: 510 }, { heldOut: 2.5 });
  recorder.record({ ...WINDOW, step: 520 }, { sample: "emma" });
  recorder.record({ ...WINDOW, step: 530 }, {}, true);
  assertStrictEquals(points.length, 8);
  const last = points[6];
  assertEquals(last.kind === "train" && [last.sample, last.time], ["emma", 5]);
  assertStrictEquals(recorder.recent.length, 3);
  assertStrictEquals(
    (points[0] as { bitsPerChar: number }).bitsPerChar,
    Math.round(2.98 / Math.LN2 * 1e5) / 1e5,
  );
});

Deno.test("TrainRecorder rejects a negative period", () => {
  assertThrows(() => new TrainRecorder({ sinks: [], every: -1 }), RangeError, "'every' must be >= 0");
});
