import { assert, assertEquals, assertLess, assertThrows } from "@std/assert";
import { clipGradients, globalNorm } from "../../mod.ts";
import type { ClipOptions, ParamSlot } from "../../mod.ts";

function slots(...grads: number[][]): ParamSlot[] {
  return grads.map((g, i) => ({
    name: `p${i}`,
    value: new Float64Array(g.length),
    grad: Float64Array.from(g),
  }));
}

function grads(s: readonly ParamSlot[]): number[][] {
  return s.map((x) => Array.from(x.grad));
}

Deno.test("globalNorm() is the L2 norm over every slot", async (t) => {
  await t.step("3-4-12 over two slots", () => assertEquals(globalNorm(slots([3], [4, 12])), 13));
  await t.step("no slots", () => assertEquals(globalNorm([]), 0));
  await t.step("NaN", () => assert(Number.isNaN(globalNorm(slots([1, NaN])))));
  await t.step("Infinity", () => assertEquals(globalNorm(slots([1], [-Infinity])), Infinity));
});

Deno.test("clipGradients() clamps each element to ±value and returns the norm before clipping", () => {
  const s = slots([10, -0.5, -7], [0.25, 5]);
  const before = clipGradients(s, { value: 1 });
  assertEquals(before, Math.sqrt(100 + 0.25 + 49 + 0.0625 + 25));
  assertEquals(grads(s), [[1, -0.5, -1], [0.25, 1]]);
});

Deno.test("clipGradients() rescales all slots together to the global norm threshold", async (t) => {
  await t.step("above the threshold: scaled to exactly norm, directions kept", () => {
    const s = slots([30], [0, -40]);
    assertEquals(clipGradients(s, { norm: 5 }), 50);
    const [[a], [b, c]] = grads(s);
    assertLess(Math.abs(a - 3), 1e-15);
    assertEquals(b, 0);
    assertLess(Math.abs(c + 4), 1e-15);
    assertLess(Math.abs(globalNorm(s) - 5), 1e-14);
  });
  await t.step("at or below the threshold: untouched", () => {
    const s = slots([3], [4]);
    assertEquals(clipGradients(s, { norm: 5 }), 5);
    assertEquals(grads(s), [[3], [4]]);
    assertEquals(clipGradients(s, { norm: 100 }), 5);
    assertEquals(grads(s), [[3], [4]]);
  });
});

Deno.test("clipGradients() with value and norm clips by value first, then by the norm of the clipped values", () => {
  const s = slots([100, -100], [1]);
  const before = clipGradients(s, { value: 2, norm: 1.5 });
  assertEquals(before, Math.sqrt(20001)); // the norm before any clipping
  // after value clipping: (2, −2, 1), norm 3 → scaled by 1.5 / 3
  const [[a, b], [c]] = grads(s);
  assertLess(Math.abs(a - 1), 1e-15);
  assertLess(Math.abs(b + 1), 1e-15);
  assertLess(Math.abs(c - 0.5), 1e-15);
});

Deno.test("clipGradients() with no thresholds only measures", () => {
  const s = slots([3, 4]);
  assertEquals(clipGradients(s), 5);
  assertEquals(clipGradients(s, {}), 5);
  assertEquals(grads(s), [[3, 4]]);
});

Deno.test("clipGradients() rejects thresholds that are not finite numbers > 0", async (t) => {
  const cases: [ClipOptions, string][] = [
    [{ value: 0 }, "'clip.value' must be a finite number > 0: current value is 0"],
    [{ value: -1 }, "'clip.value' must be a finite number > 0: current value is -1"],
    [{ norm: NaN }, "'clip.norm' must be a finite number > 0: current value is NaN"],
    [{ norm: Infinity }, "'clip.norm' must be a finite number > 0: current value is Infinity"],
    [{ norm: "5" as unknown as number }, "'clip.norm' must be a finite number > 0: current value is 5"],
    [{ value: 1, norm: -2 }, "'clip.norm' must be a finite number > 0: current value is -2"],
  ];
  for (const [options, message] of cases) {
    await t.step(message, () => {
      const s = slots([10]);
      assertThrows(() => clipGradients(s, options), RangeError, message);
      assertEquals(grads(s), [[10]]); // nothing clipped
    });
  }
  await t.step("not an object", () => {
    assertThrows(
      () => clipGradients(slots([1]), 5 as unknown as ClipOptions),
      TypeError,
      "'clip' must be an object",
    );
  });
});
