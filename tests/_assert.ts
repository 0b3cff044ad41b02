/**
 * Typed shim over the npm mirror of Deno's standard assertions (`deno-std`).
 *
 * JSR is unreachable from our machines, so `@std/assert` is mapped in deno.json to
 * this file; `deno-std` ships the same code as plain JavaScript without types. With
 * JSR access, point `"@std/assert"` at `"jsr:@std/assert@^1"` instead: the names and
 * signatures below are the same.
 *
 * @module
 */
// @ts-types="./_assert.d.ts"
import * as std from "npm:deno-std@1.4.0/assert/mod.js";

export const assert: (expr: unknown, msg?: string) => asserts expr = std.assert;
export const assertEquals: <T>(actual: T, expected: T, msg?: string) => void = std.assertEquals;
export const assertStrictEquals: <T>(actual: unknown, expected: T, msg?: string) => asserts actual is T =
  std.assertStrictEquals;
export const assertNotEquals: <T>(actual: T, expected: T, msg?: string) => void = std.assertNotEquals;
export const assertAlmostEquals: (
  actual: number,
  expected: number,
  tolerance?: number,
  msg?: string,
) => void = std.assertAlmostEquals;
export const assertGreater: <T>(actual: T, expected: T, msg?: string) => void = std.assertGreater;
export const assertLess: <T>(actual: T, expected: T, msg?: string) => void = std.assertLess;
export const assertLessOrEqual: <T>(actual: T, expected: T, msg?: string) => void = std.assertLessOrEqual;
export const assertMatch: (actual: string, expected: RegExp, msg?: string) => void = std.assertMatch;
export const assertStringIncludes: (actual: string, expected: string, msg?: string) => void =
  std.assertStringIncludes;
export const assertThrows: (
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  ErrorClass?: abstract new (...args: any[]) => Error,
  msgIncludes?: string,
  msg?: string,
) => Error = std.assertThrows;
export const assertRejects: (
  fn: () => PromiseLike<unknown>,
  // deno-lint-ignore no-explicit-any
  ErrorClass?: abstract new (...args: any[]) => Error,
  msgIncludes?: string,
  msg?: string,
) => Promise<Error> = std.assertRejects;
export const fail: (msg?: string) => never = std.fail;
