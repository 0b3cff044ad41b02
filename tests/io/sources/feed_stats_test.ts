import { assertEquals, assertStrictEquals } from "@std/assert";
import { createFeedStats, InvalidLineError } from "../../../mod.ts";

Deno.test("createFeedStats() returns fresh zeroed counters each call", () => {
  const a = createFeedStats(), b = createFeedStats();
  assertEquals(a, { lines: 0, parsed: 0, skipped: 0, reconnects: 0, invalid: [] });
  a.invalid.push({ line: 1, text: "x", reason: "r" });
  assertEquals(b.invalid, []);
});

Deno.test("InvalidLineError carries the line, its text and the reason, and copies them from its input", () => {
  const invalid = Object.freeze({ line: 3, text: "1,x", reason: "field 'b' is not a number: x" });
  const error = new InvalidLineError(invalid);
  assertStrictEquals(error instanceof Error, true);
  assertEquals([error.name, error.line, error.text, error.reason], [
    "InvalidLineError",
    3,
    "1,x",
    invalid.reason,
  ]);
  assertEquals(error.message, "Invalid line 3: field 'b' is not a number: x: 1,x");
});
