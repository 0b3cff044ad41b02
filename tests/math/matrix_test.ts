import { assert, assertEquals, assertStrictEquals, assertThrows } from "@std/assert";
import { fromRows, Matrix, toRows } from "../../mod.ts";
import { assertFinite, assertShape, describe } from "../../src/math/matrix.ts";

Deno.test("Matrix stores rows×cols values row-major", async (t) => {
  await t.step("zeros() has the shape and all zeros", () => {
    const m = Matrix.zeros(3, 4);
    assertEquals([m.rows, m.cols, m.shape, m.data.length], [3, 4, "3x4", 12]);
    assert(m.data.every((v) => v === 0));
  });
  await t.step("get/set address data[i * cols + j]", () => {
    const m = Matrix.zeros(2, 3);
    m.set(1, 2, 7);
    m.set(0, 1, -2);
    assertEquals(Array.from(m.data), [0, -2, 0, 0, 0, 7]);
    assertEquals([m.get(1, 2), m.get(0, 1), m.get(1, 0)], [7, -2, 0]);
  });
  await t.step("the constructor wraps the given storage without copying", () => {
    const data = Float64Array.of(1, 2, 3, 4, 5, 6);
    const m = new Matrix(3, 2, data);
    assertStrictEquals(m.data, data);
    assertEquals(m.get(2, 1), 6);
    data[0] = 9;
    assertEquals(m.get(0, 0), 9);
  });
  await t.step("clone() is a deep copy with the same shape and values", () => {
    const a = fromRows([[1, 2], [3, 4], [5, 6]]);
    const b = a.clone();
    assertEquals([b.shape, Array.from(b.data)], [a.shape, Array.from(a.data)]);
    b.set(0, 0, 100);
    assertEquals(a.get(0, 0), 1);
    assert(a.data.buffer !== b.data.buffer);
  });
  await t.step("a 1x1 matrix works", () => {
    const m = fromRows([[-0.5]]);
    assertEquals([m.shape, m.get(0, 0)], ["1x1", -0.5]);
  });
});

Deno.test("fromRows() and toRows() round-trip the rows layout", async (t) => {
  await t.step("rows in, rows out", () => {
    const rows = [[1, 2, 3], [4, 5, 6]];
    const m = fromRows(rows);
    assertEquals(m.shape, "2x3");
    assertEquals(Array.from(m.data), [1, 2, 3, 4, 5, 6]);
    assertEquals(toRows(m), rows);
  });
  await t.step("fromRows() copies: later edits of the rows do not leak in", () => {
    const rows = [[1, 2]];
    const m = fromRows(rows);
    rows[0][0] = 9;
    assertEquals(m.get(0, 0), 1);
  });
  await t.step("toRows() returns fresh arrays", () => {
    const m = fromRows([[1, 2]]);
    toRows(m)[0][0] = 9;
    assertEquals(m.get(0, 0), 1);
  });
  await t.step("a column vector keeps its shape", () => {
    assertEquals(toRows(fromRows([[1], [2], [3]])), [[1], [2], [3]]);
  });
  await t.step("values are not checked: NaN passes through (assertFinite is the check)", () => {
    assert(Number.isNaN(fromRows([[NaN]]).get(0, 0)));
  });
});

Deno.test("assertShape() accepts the expected shape and names both shapes otherwise", async (t) => {
  await t.step("the expected shape passes", () => {
    assertShape("a", Matrix.zeros(3, 1), 3, 1);
  });
  await t.step("transposed shape is a RangeError with both shapes", () => {
    assertThrows(
      () => assertShape("Wax", Matrix.zeros(4, 3), 3, 4),
      RangeError,
      "'Wax' has shape 4x3, expected 3x4",
    );
  });
  await t.step("a non-Matrix is a TypeError describing it", () => {
    assertThrows(
      // deno-lint-ignore no-explicit-any
      () => assertShape("a", [[1]] as any, 1, 1),
      TypeError,
      "'a' must be a Matrix: got an array of length 1",
    );
    // deno-lint-ignore no-explicit-any
    assertThrows(() => assertShape("a", undefined as any, 1, 1), TypeError, "got undefined");
  });
});

Deno.test("assertFinite() finds the first non-finite value and names its position", async (t) => {
  await t.step("finite values pass, including ±MAX_VALUE and -0", () => {
    assertFinite("w", fromRows([[Number.MAX_VALUE, -Number.MAX_VALUE, -0, 1e-320]]));
  });
  for (const v of [NaN, Infinity, -Infinity]) {
    await t.step(`${v} at (1, 2)`, () => {
      const m = Matrix.zeros(2, 3);
      m.set(1, 2, v);
      assertThrows(() => assertFinite("W", m), RangeError, `'W' must be finite: value at (1, 2) is ${v}`);
    });
  }
  await t.step("the first bad value in row-major order is reported", () => {
    const m = fromRows([[0, 1], [NaN, Infinity]]);
    assertThrows(() => assertFinite("W", m), RangeError, "value at (1, 0) is NaN");
  });
});

Deno.test("describe() gives short text for any value in error messages", () => {
  assertEquals(describe(null), "null");
  assertEquals(describe(undefined), "undefined");
  assertEquals(describe([1, 2]), "an array of length 2");
  assertEquals(describe(Matrix.zeros(2, 5)), "a 2x5 Matrix");
  assertEquals(describe(new Int32Array(3)), "an Int32Array of length 3");
  assertEquals(describe(new Float64Array(2)), "a Float64Array of length 2");
  assertEquals(describe(new DataView(new ArrayBuffer(4))), "a DataView");
  assertEquals(describe({}), "an object (Object)");
  assertEquals(describe(new Map()), "an object (Map)");
  assertEquals(describe("x"), "string x");
  assertEquals(describe(3), "number 3");
  assertEquals(describe(Object.create(null)), "an object (Object)");
});
