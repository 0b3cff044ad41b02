/**
 * A terminal sparkline: a row of block characters, one per value, scaled between the
 * values' smallest and largest.
 *
 * @module
 */

const BARS = "▁▂▃▄▅▆▇█";

/**
 * Draws the last `width` finite values as a sparkline (`▇▅▄▃▂▂▁`): the smallest value is `▁`,
 * the largest `█`; values that are not finite are left out.
 *
 * @param values The values, oldest first.
 * @param width How many of the last values to draw. @default {20}
 * @returns The sparkline (empty when there are no finite values).
 * @throws {RangeError} When `width` is not a positive integer.
 *
 * @example Usage
 * ```ts
 * import { sparkline } from "./sparkline.ts";
 * import { assertStrictEquals } from "@std/assert";
 *
 * assertStrictEquals(sparkline([3, 2, 1, 1]), "█▅▁▁");
 * assertStrictEquals(sparkline([5, 5]), "▄▄");
 * ```
 */
export function sparkline(values: readonly number[], width = 20): string {
  if (!Number.isSafeInteger(width) || width < 1) {
    throw new RangeError(
      `Cannot draw sparkline() as 'width' must be an integer >= 1: current value is ${width}`,
    );
  }
  const shown = values.filter(Number.isFinite).slice(-width);
  if (shown.length === 0) return "";
  const lo = Math.min(...shown), hi = Math.max(...shown);
  if (hi === lo) return BARS[3].repeat(shown.length);
  return shown.map((v) => BARS[Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1))]).join("");
}
