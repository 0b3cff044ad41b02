/** `LiveRecorder`, on a virtual clock. */
import { assertEquals, assertStrictEquals } from "@std/assert";
import { LiveRecorder } from "../../../src/cli/dashboard/live_recorder.ts";
import type { LiveMetrics, Metrics } from "../../../src/cli/dashboard/metrics.ts";

Deno.test("LiveRecorder sends the readings since the last point with the counters and the rate", () => {
  let now = 10;
  const points: Metrics[] = [];
  const recorder = new LiveRecorder({
    features: ["t"],
    sinks: [(m) => points.push(m)],
    keep: 2,
    now: () => now,
  });
  const values = [20];
  for (let i = 1; i <= 4; i++) {
    recorder.reading({ key: "a", event: i, values, forecast: [19], flagged: i === 4 });
  }
  values[0] = 99; // copied: later changes do not reach the point
  now = 12;
  const counters = { events: 4, dropped: 1, lag: 2, skipped: 0, reconnects: 0, flags: 1 };
  const p = recorder.flush(counters) as LiveMetrics;
  assertEquals(p.readings.map((r) => [r.event, r.values[0], r.flagged]), [[3, 20, false], [4, 20, true]]);
  assertEquals([p.events, p.dropped, p.lag, p.flags, p.rate, p.time], [4, 1, 2, 1, 2, 2]);
  assertStrictEquals(recorder.flush(counters), null);
  assertStrictEquals(recorder.flush(counters, true)?.readings.length, 0);
  assertStrictEquals(points.length, 2);
});
