import { assertEquals, assertStrictEquals, assertThrows } from "@std/assert";
import { Vocab } from "../../../src/io/text/vocab.ts";
import { loadNames } from "../../../src/io/datasets/names.ts";
import { splitHeldOut } from "../../../src/io/text/split.ts";

Deno.test("Vocab.fromText() puts the boundary first, then the characters in code point order", async (t) => {
  await t.step("default boundary \\n", () => {
    const v = Vocab.fromText("zebra\nab");
    assertEquals([...v.chars], ["\n", "a", "b", "e", "r", "z"]);
    assertStrictEquals(v.boundary, 0);
    assertStrictEquals(v.size, 6);
  });
  await t.step("a custom boundary that is absent from the text", () => {
    assertEquals([...Vocab.fromText("ba", { boundary: "." }).chars], [".", "a", "b"]);
  });
  await t.step("code points, not UTF-16 units: an emoji is one token", () => {
    const v = Vocab.fromText("a😀b");
    assertStrictEquals(v.size, 4);
    assertStrictEquals(v.decode(v.encode("😀a")), "😀a");
  });
  await t.step("empty text gives the boundary alone", () => {
    assertEquals([...Vocab.fromText("").chars], ["\n"]);
  });
  await t.step("a boundary of two characters is refused", () => {
    assertThrows(
      () => Vocab.fromText("ab", { boundary: "ab" }),
      RangeError,
      "'boundary' must be one character",
    );
  });
});

Deno.test("Vocab.encode() and decode() are inverse on known characters", async (t) => {
  const v = Vocab.fromText("hello world");
  await t.step("round trip", () => {
    const tokens = v.encode("old hell");
    assertStrictEquals(tokens.constructor, Int32Array);
    assertStrictEquals(v.decode(tokens), "old hell");
  });
  await t.step("an unknown character is an error naming it and its position", () => {
    assertThrows(
      () => v.encode("hé"),
      RangeError,
      'character "é" (U+00E9) at position 1 is not in the vocabulary',
    );
  });
  await t.step("or a counted skip", () => {
    assertStrictEquals(v.decode(v.encode("héllo!", { onUnknown: "skip" })), "hllo");
    assertStrictEquals(v.countUnknown("héllo!"), 2);
  });
  await t.step("decode() refuses an index out of range", () => {
    assertThrows(() => v.decode([1, 99]), RangeError, "'tokens[1]' must be an index in [0, 9)");
    assertThrows(() => v.decode([0.5]), RangeError, "'tokens[0]'");
  });
  await t.step("a bad onUnknown is refused", () => {
    // @ts-expect-error: testing a bad value
    assertThrows(() => v.encode("h", { onUnknown: "drop" }), RangeError, "'onUnknown'");
  });
});

Deno.test("Vocab round-trips through its plain-data form", async (t) => {
  const v = Vocab.fromText("abc\n");
  await t.step("toData() / fromData()", () => {
    const data = JSON.parse(JSON.stringify(v.toData()));
    const w = Vocab.fromData(data);
    assertStrictEquals(w.equals(v), true);
    assertStrictEquals(v.equals(data), true);
  });
  await t.step("equals() sees order and size", () => {
    assertStrictEquals(v.equals({ chars: ["\n", "b", "a", "c"] }), false);
    assertStrictEquals(v.equals({ chars: ["\n", "a", "b"] }), false);
  });
  await t.step("the constructor refuses duplicates, multi-character entries and empty lists", () => {
    assertThrows(() => new Vocab(["a", "a"]), RangeError, 'character "a" (U+0061) appears twice');
    assertThrows(() => new Vocab(["ab"]), RangeError, "'chars[0]' must be one character");
    assertThrows(() => new Vocab([]), RangeError, "must not be empty");
    assertThrows(() => Vocab.fromData({} as never), TypeError, "expected an object { chars: string[] }");
  });
});

Deno.test("loadNames() loads the npm names datasets and splitHeldOut() holds out 10% with a seed", async (t) => {
  const names = await loadNames();
  await t.step("8,422 distinct lower-case names over 27 characters", () => {
    assertStrictEquals(names.length, 8422);
    assertStrictEquals(new Set(names).size, names.length);
    const vocab = Vocab.fromText(names.join("\n"));
    assertStrictEquals(vocab.chars.join(""), "\n-abcdefghijklmnopqrstuvwxyz");
  });
  await t.step("mixed case when asked", async () => {
    const mixed = await loadNames({ lowerCase: false });
    assertStrictEquals(mixed.includes("Emma"), true);
  });
  await t.step("the split is disjoint, 90/10, and the same for the same seed", () => {
    const a = splitHeldOut(names, { seed: 5 }),
      b = splitHeldOut(names, { seed: 5 }),
      c = splitHeldOut(names, { seed: 6 });
    assertStrictEquals(a.heldOut.length, 842);
    assertStrictEquals(a.train.length, 8422 - 842);
    const held = new Set(a.heldOut);
    assertStrictEquals(a.train.some((n) => held.has(n)), false);
    assertEquals(a.identity, b.identity);
    assertStrictEquals(a.identity.hash === c.identity.hash, false);
  });
  await t.step("a bad fraction, or nothing left to train on, is refused", () => {
    assertThrows(() => splitHeldOut(names, { fraction: 1 }), RangeError, "'fraction' must be in [0, 1)");
    assertThrows(() => splitHeldOut([], {}), RangeError, "no item is left to train on");
  });
});
