import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import { backoffDelay, Random } from "../../../mod.ts";

Deno.test("backoffDelay() grows exponentially up to maxDelay with seeded jitter", () => {
  const rng = new Random(3);
  assertEquals([0, 1, 2, 5, 20].map((k) => backoffDelay(k, { jitter: 0 }, rng)), [
    100,
    200,
    400,
    3200,
    10000,
  ]);
  const a = new Random(9), b = new Random(9);
  for (let k = 0; k < 50; k++) {
    const d = backoffDelay(2, { initialDelay: 10, factor: 3, jitter: 0.5 }, a);
    assert(d >= 45 && d < 135, `delay ${d}`);
    assertEquals(d, backoffDelay(2, { initialDelay: 10, factor: 3, jitter: 0.5 }, b));
  }
  assertAlmostEquals(backoffDelay(1, { initialDelay: 1.5, factor: 1.5, jitter: 0 }, rng), 2.25, 1e-12);
});
