import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { Normalizer, Random } from "../../mod.ts";

/** Two-pass mean and population variance, the reference. */
function twoPass(rows: number[][], i: number): { mean: number; variance: number } {
  const mean = rows.reduce((s, r) => s + r[i], 0) / rows.length;
  const variance = rows.reduce((s, r) => s + (r[i] - mean) ** 2, 0) / rows.length;
  return { mean, variance };
}

Deno.test("Normalizer tracks the running mean and variance with Welford's algorithm", async (t) => {
  const rng = new Random(11);
  const rows = Array.from(
    { length: 500 },
    () => [rng.normal() * 3 + 20, rng.normal() * 0.01 - 5, rng.next()],
  );
  await t.step("matches a two-pass computation after every prefix to 1e-12", () => {
    const norm = new Normalizer(3);
    rows.forEach((r, n) => {
      norm.update(r);
      if (n % 97 === 1) {
        for (let i = 0; i < 3; i++) {
          const ref = twoPass(rows.slice(0, n + 1), i);
          assertAlmostEquals(norm.mean()[i], ref.mean, 1e-12);
          assertAlmostEquals(norm.variance()[i], ref.variance, 1e-12 * Math.max(1, ref.variance));
        }
      }
    });
    assertEquals(norm.count, 500);
  });
  await t.step("is stable far from zero (values near 1e9 with unit spread)", () => {
    const norm = new Normalizer(1);
    const xs = Array.from({ length: 1000 }, (_, k) => 1e9 + (k % 2 === 0 ? 1 : -1));
    xs.forEach((x) => norm.update([x]));
    assertAlmostEquals(norm.mean()[0], 1e9, 1e-6);
    assertAlmostEquals(norm.variance()[0], 1, 1e-6);
  });
  await t.step("transform standardises, inverse undoes it, clip bounds it, constants map to 0", () => {
    const norm = new Normalizer(3, { clip: 4 });
    rows.forEach((r) => norm.update(r));
    const z = rows.map((r) => Array.from(norm.transform(r)));
    for (let i = 0; i < 3; i++) {
      const ref = twoPass(z, i);
      assertAlmostEquals(ref.mean, 0, 1e-9);
      // var/(var + ε): feature 1 has variance 1e-4, so ε = 1e-8 shows at 1e-4.
      assertAlmostEquals(ref.variance, 1, 2e-4);
    }
    const back = norm.inverse(norm.transform(rows[7]));
    rows[7].forEach((v, i) => assertAlmostEquals(back[i], v, 1e-9 * Math.abs(v)));
    assertEquals(norm.transform([1e6, -1e6, 0.5])[0], 4);
    assertEquals(norm.transform([1e6, -1e6, 0.5])[1], -4);
    const flat = new Normalizer(1);
    [5, 5, 5].forEach((v) => flat.update([v]));
    assertEquals(flat.transform([5])[0], 0);
  });
  await t.step("before two vectors the variance is 1, so transform only centres", () => {
    const norm = new Normalizer(2);
    assertEquals(Array.from(norm.transform([1, 2])), [1, 2].map((v) => v / Math.sqrt(1 + 1e-8)));
    norm.update([1, 2]);
    assertEquals(Array.from(norm.variance()), [1, 1]);
  });
  await t.step("a saved state (through JSON) resumes exactly like an uninterrupted run", () => {
    const whole = new Normalizer(3), first = new Normalizer(3);
    rows.forEach((r) => whole.update(r));
    rows.slice(0, 250).forEach((r) => first.update(r));
    const resumed = Normalizer.fromState(JSON.parse(JSON.stringify(first.getState())));
    rows.slice(250).forEach((r) => resumed.update(r));
    assertEquals(resumed.getState(), whole.getState());
    assertEquals(resumed.transform(rows[3]), whole.transform(rows[3]));
  });
  await t.step("bad sizes, values, outputs and states are rejected", () => {
    assertThrows(() => new Normalizer(0), RangeError, "'size' must be an integer >= 1: current value is 0");
    assertThrows(
      () => new Normalizer(2, { epsilon: -1 }),
      RangeError,
      "'epsilon' must be a finite number >= 0",
    );
    assertThrows(() => new Normalizer(2, { clip: 0 }), RangeError, "'clip' must be a number > 0");
    const norm = new Normalizer(2);
    assertThrows(() => norm.update([1]), RangeError, "must have 2 values: current length is 1");
    assertThrows(
      () => norm.update([1, NaN]),
      RangeError,
      "value 1 must be a finite number: current value is NaN",
    );
    assertEquals(norm.count, 0);
    assertThrows(
      () => norm.transform([1, 2], new Float64Array(3)),
      RangeError,
      "'out' must be a Float64Array",
    );
    assertThrows(() => norm.setState({ count: 1, mean: [0], m2: [0] }), TypeError, "malformed state");
    assertThrows(() => norm.setState({ count: 1, mean: [0, 0], m2: [0, -1] }), TypeError, "malformed state");
    assertThrows(() => Normalizer.fromState(null as never), TypeError, "malformed state");
  });
});

Deno.test("Normalizer refuses a value whose square would overflow, leaving its state finite", () => {
  const norm = new Normalizer(1);
  norm.update([1]);
  norm.update([2]);
  assertThrows(() => norm.update([1e300]), RangeError, "overflow");
  assertEquals(norm.count, 2);
  assert(Number.isFinite(norm.variance()[0]) && Number.isFinite(norm.transform([1.5])[0]));
});
