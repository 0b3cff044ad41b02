/** `sparkline()`. */
import { assertStrictEquals, assertThrows } from "@std/assert";
import { sparkline } from "../../../src/cli/dashboard/sparkline.ts";

Deno.test("sparkline() scales the last values between ▁ and █ and skips non-finite ones", () => {
  assertStrictEquals(sparkline([0, 7, 1, 2, 3, 4, 5, 6]), "▁█▂▃▄▅▆▇");
  assertStrictEquals(sparkline([1, NaN, Infinity, 2]), "▁█");
  assertStrictEquals(sparkline([9, 1, 2, 3], 2), "▁█");
  assertStrictEquals(sparkline([]), "");
  assertThrows(() => sparkline([1], 0), RangeError, "'width' must be an integer >= 1: current value is 0");
});
