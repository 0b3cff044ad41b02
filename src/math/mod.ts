/**
 * Math: the Matrix type (row-major Float64Array with explicit shape) and the seeded random generator.
 *
 * @example Usage
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { fromRows, toRows } from "./mod.ts";
 * assertEquals(toRows(fromRows([[1, 2], [3, 4]])), [[1, 2], [3, 4]]);
 * ```
 *
 * @module
 */
export * from "./matrix.ts";
export * from "./random.ts";
export * from "./clone_data.ts";
