import { assert, assertEquals, assertStrictEquals } from "@std/assert";
import { Matrix } from "../mod.ts";

/** Asserts that two values are equal with every float bit for bit (Object.is), typed arrays and matrices included. */
export function assertBitEqual(actual: unknown, expected: unknown, path = "value"): void {
  if (expected instanceof Matrix) {
    assert(actual instanceof Matrix, `${path}: not a Matrix`);
    assertStrictEquals(actual.shape, expected.shape, path);
    return assertBitEqual(actual.data, expected.data, `${path}.data`);
  }
  if (ArrayBuffer.isView(expected)) {
    assert(actual !== null && (actual as object).constructor === expected.constructor, `${path}: other type`);
    const a = actual as unknown as ArrayLike<number>, e = expected as unknown as ArrayLike<number>;
    assertStrictEquals(a.length, e.length, `${path}.length`);
    for (let i = 0; i < e.length; i++) assert(Object.is(a[i], e[i]), `${path}[${i}]: ${a[i]} vs ${e[i]}`);
    return;
  }
  if (expected !== null && typeof expected === "object") {
    assert(actual !== null && typeof actual === "object", `${path}: not an object`);
    assertEquals(Object.keys(actual as object).sort(), Object.keys(expected).sort(), `${path} keys`);
    for (const key of Object.keys(expected)) {
      assertBitEqual(
        (actual as Record<string, unknown>)[key],
        (expected as Record<string, unknown>)[key],
        `${path}.${key}`,
      );
    }
    return;
  }
  assert(Object.is(actual, expected), `${path}: ${String(actual)} vs ${String(expected)}`);
}
