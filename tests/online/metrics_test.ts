import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { fromRows, Random, scorePrediction, StreamMetrics } from "../../mod.ts";
import type { Score } from "../../mod.ts";

/** The reference: metrics recomputed from a list of residuals. */
function reference(errors: number[]): { mae: number; rmse: number } {
  const mae = errors.reduce((s, e) => s + Math.abs(e), 0) / errors.length;
  const rmse = Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length);
  return { mae, rmse };
}

Deno.test("StreamMetrics keeps rolling and since-start regression metrics", async (t) => {
  const rng = new Random(3);
  const errors = Array.from({ length: 2503 }, () => rng.normal() * 2 + 0.5);
  await t.step("window and total match a recomputation after every prefix to 1e-12", () => {
    const metrics = new StreamMetrics("regression", { window: 100 });
    errors.forEach((e, k) => {
      metrics.add({ a: Math.abs(e), b: e * e, n: 1 });
      if (k % 37 === 0 || k === errors.length - 1) {
        const win = reference(errors.slice(Math.max(0, k - 99), k + 1));
        const all = reference(errors.slice(0, k + 1));
        assertAlmostEquals(metrics.window().mae!, win.mae, 1e-12);
        assertAlmostEquals(metrics.window().rmse!, win.rmse, 1e-12);
        assertAlmostEquals(metrics.total().mae!, all.mae, 1e-12);
        assertAlmostEquals(metrics.total().rmse!, all.rmse, 1e-12);
        assertEquals(metrics.window().events, Math.min(100, k + 1));
        assertEquals(metrics.total().events, k + 1);
      }
    });
  });
  await t.step("counts values, not events, when a prediction has several", () => {
    const metrics = new StreamMetrics("regression", { window: 2 });
    metrics.add({ a: 3, b: 5, n: 2 }); // errors 1 and 2
    metrics.add({ a: 0, b: 0, n: 2 });
    assertEquals(metrics.window(), { events: 2, count: 4, mae: 0.75, rmse: Math.sqrt(5 / 4) });
  });
  await t.step("is NaN before anything is scored", () => {
    const metrics = new StreamMetrics("regression");
    assertEquals(metrics.total().events, 0);
    assertEquals(Number.isNaN(metrics.total().mae), true);
    assertEquals(Number.isNaN(metrics.window().rmse), true);
  });
});

Deno.test("StreamMetrics keeps classification metrics (log loss, accuracy, bits per symbol)", () => {
  const metrics = new StreamMetrics("classification", { window: 2 });
  const scores: Score[] = [{ a: Math.LN2, b: 1, n: 1 }, { a: 2 * Math.LN2, b: 0, n: 1 }, {
    a: 0,
    b: 1,
    n: 1,
  }];
  scores.forEach((s) => metrics.add(s));
  const win = metrics.window(), all = metrics.total();
  assertAlmostEquals(win.logLoss!, Math.LN2, 1e-15);
  assertAlmostEquals(win.bitsPerSymbol!, 1, 1e-15);
  assertEquals(win.accuracy, 0.5);
  assertAlmostEquals(all.bitsPerSymbol!, 1, 1e-15);
  assertAlmostEquals(all.accuracy!, 2 / 3, 1e-15);
});

Deno.test("StreamMetrics state is plain data and continues exactly", async (t) => {
  const rng = new Random(9);
  const scores = Array.from({ length: 300 }, () => {
    const e = rng.normal();
    return { a: Math.abs(e), b: e * e, n: 1 };
  });
  await t.step("a restored copy gives the same summaries bit for bit", () => {
    const a = new StreamMetrics("regression", { window: 64 });
    scores.slice(0, 170).forEach((s) => a.add(s));
    const b = StreamMetrics.fromState(JSON.parse(JSON.stringify(a.getState())));
    for (const s of scores.slice(170)) {
      a.add(s);
      b.add(s);
    }
    assertEquals(b.window(), a.window());
    assertEquals(b.total(), a.total());
  });
  await t.step("a malformed or foreign state is a TypeError", () => {
    const a = new StreamMetrics("regression", { window: 4 });
    assertThrows(
      () => a.setState({ ...a.getState(), kind: "classification" }),
      TypeError,
      "Cannot restore StreamMetrics (regression, window 4): malformed state",
    );
    assertThrows(() => a.setState({ ...a.getState(), recent: [1, 2] }), TypeError);
    assertThrows(() => a.setState({ ...a.getState(), window: 5 }), TypeError);
  });
  await t.step("options are checked at creation", () => {
    assertThrows(
      () => new StreamMetrics("regression", { window: 0 }),
      RangeError,
      "Cannot create StreamMetrics as 'window' must be an integer >= 1: current value is 0",
    );
    assertThrows(() => new StreamMetrics("ranking" as "regression"), RangeError, "'kind'");
  });
});

Deno.test("scorePrediction() scores linear and softmax predictions", async (t) => {
  await t.step("linear: absolute and squared errors over every value", () => {
    const s = scorePrediction("linear", fromRows([[1, 2], [3, 4]]), fromRows([[0, 2], [5, 4]]));
    assertEquals(s, { a: 3, b: 5, n: 4 });
  });
  await t.step("softmax with class indices: nats and argmax hits per column", () => {
    const p = fromRows([[0.5, 0.1], [0.3, 0.6], [0.2, 0.3]]);
    const s = scorePrediction("softmax", p, Int32Array.of(0, 2));
    assertAlmostEquals(s.a, -Math.log(0.5) - Math.log(0.3), 1e-15);
    assertEquals([s.b, s.n], [1, 2]);
  });
  await t.step("softmax with a soft target matrix: cross-entropy, argmax of the target", () => {
    const p = fromRows([[0.4], [0.6]]);
    const s = scorePrediction("softmax", p, fromRows([[0.25], [0.75]]));
    assertAlmostEquals(s.a, -0.25 * Math.log(0.4) - 0.75 * Math.log(0.6), 1e-15);
    assertEquals([s.b, s.n], [1, 1]);
  });
});

Deno.test("StreamMetrics never reports Infinity or NaN after a huge or non-finite score", () => {
  const metrics = new StreamMetrics("regression", { window: 3 });
  metrics.add({ a: 1, b: 1, n: 1 });
  metrics.add({ a: 1e300, b: Infinity, n: 1 }); // (1e300)² overflows
  metrics.add({ a: 1e308, b: 1e308, n: 1 });
  metrics.add({ a: 1e308, b: 1e308, n: 1 }); // finite alone, but the sums would overflow
  metrics.add({ a: NaN, b: NaN, n: 1 });
  metrics.add({ a: 3, b: 9, n: 1 });
  for (const summary of [metrics.window(), metrics.total()]) {
    for (const v of [summary.mae, summary.rmse]) assert(Number.isFinite(v), `${JSON.stringify(summary)}`);
  }
  assertEquals(metrics.rejected, 3);
  assertEquals(metrics.total().events, 3);
  const y = fromRows([[1e300]]);
  const s = scorePrediction("linear", fromRows([[0]]), y);
  metrics.add(s);
  assert(Number.isFinite(metrics.total().rmse!) && metrics.rejected === 4);
});
