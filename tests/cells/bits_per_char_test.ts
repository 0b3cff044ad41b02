import { assertAlmostEquals, assertStrictEquals, assertThrows } from "@std/assert";
import { cellForward, cellLoss, initParams, Matrix } from "../../mod.ts";
import { bitsPerChar } from "../../src/cells/bits_per_char.ts";

const params = initParams({ nx: 6, na: 10, ny: 6 }, { seed: 11, init: "randn", scale: 0.8 });

Deno.test("bitsPerChar() is the mean −log₂ ŷ[next] of cellLoss over each sequence from a zero state", () => {
  const sequences = [Int32Array.of(0, 1, 2, 0), Int32Array.of(0, 5, 0), Int32Array.of(3)];
  let nats = 0, chars = 0;
  for (const seq of sequences) {
    let a = new Matrix(10, 1);
    for (let t = 0; t + 1 < seq.length; t++) {
      const cache = cellForward(params, [seq[t]], a);
      nats += cellLoss(cache, [seq[t + 1]]);
      chars++;
      a = cache.a;
    }
  }
  const result = bitsPerChar(params, sequences);
  assertStrictEquals(result.chars, 5);
  assertAlmostEquals(result.bits, nats / chars / Math.LN2, 1e-12);
  assertStrictEquals(Number.isNaN(bitsPerChar(params, [Int32Array.of(1)]).bits), true);
  assertThrows(
    () => bitsPerChar(params, [Int32Array.of(0, 6)]),
    RangeError,
    "token 1 of sequence 0 must be in [0, 6)",
  );
});
