import { assert, assertEquals, assertLess, assertNotEquals, assertThrows } from "@std/assert";
import { Random } from "../../mod.ts";
import type { RandomState } from "../../mod.ts";

function draws(r: Random, n: number): number[] {
  return Array.from({ length: n }, () => r.next());
}

Deno.test("Random is deterministic for a seed and differs between seeds", async (t) => {
  await t.step("the same seed gives the same stream of every kind of draw", () => {
    const a = new Random(42), b = new Random(42);
    for (let k = 0; k < 200; k++) {
      assertEquals([a.nextUint32(), a.next(), a.normal(), a.int(7)], [
        b.nextUint32(),
        b.next(),
        b.normal(),
        b.int(7),
      ]);
    }
  });
  await t.step("seed 42 gives the recorded stream (checkpoints stay resumable across versions)", () => {
    const r = new Random(42);
    assertEquals([r.nextUint32(), r.nextUint32(), r.nextUint32(), r.nextUint32()], [
      2837322924,
      544945897,
      479756282,
      3500138142,
    ]);
  });
  await t.step("the core is xoshiro128**: state {1, 2, 3, 4} gives 11520, 0, 5927040", () => {
    const r = new Random(0);
    r.setState({ s: [1, 2, 3, 4], spare: null });
    assertEquals([r.nextUint32(), r.nextUint32(), r.nextUint32()], [11520, 0, 5927040]);
  });
  await t.step("nearby, negative and large seeds give different streams", () => {
    const seeds = [0, 1, 2, -1, -2, 2 ** 32, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
    const firsts = seeds.map((s) => draws(new Random(s), 4).join(","));
    assertEquals(new Set(firsts).size, seeds.length, `streams: ${firsts.join(" | ")}`);
  });
  await t.step("a non-safe-integer seed is a RangeError naming the value", () => {
    for (const seed of [1.5, NaN, Infinity, 2 ** 53]) {
      assertThrows(
        () => new Random(seed),
        RangeError,
        `'seed' must be a safe integer: current value is ${seed}`,
      );
    }
  });
});

Deno.test("Random.getState()/setState() resume a stream mid-way, including the normal spare", async (t) => {
  await t.step("restoring after an odd number of normal() draws replays the held spare first", () => {
    const r = new Random(7);
    draws(r, 5);
    r.normal(); // leaves the pair's second value as the spare
    const saved = r.getState();
    assert(saved.spare !== null, "a spare is held after one normal()");
    const ahead = [r.normal(), r.normal(), r.next(), r.normal(), r.int(10)];
    const resumed = new Random(999);
    resumed.setState(saved);
    assertEquals(
      [resumed.normal(), resumed.normal(), resumed.next(), resumed.normal(), resumed.int(10)],
      ahead,
    );
  });
  await t.step("the state survives a JSON round trip", () => {
    const r = new Random(11);
    r.normal();
    const saved: RandomState = JSON.parse(JSON.stringify(r.getState()));
    const ahead = [r.normal(), r.normal(), r.nextUint32()];
    const resumed = new Random(0);
    resumed.setState(saved);
    assertEquals([resumed.normal(), resumed.normal(), resumed.nextUint32()], ahead);
  });
  await t.step("getState() returns a copy: drawing does not change a saved state", () => {
    const r = new Random(3);
    const saved = r.getState();
    const copy = structuredClone(saved);
    draws(r, 10);
    assertEquals(saved, copy);
  });
  await t.step("a malformed state is a TypeError naming it", () => {
    const r = new Random(1);
    const before = r.getState();
    const badStates: unknown[] = [
      null,
      {},
      { s: [1, 2, 3], spare: null },
      { s: [0, 0, 0, 0], spare: null },
      { s: [1, 2, 3, 2 ** 32], spare: null },
      { s: [1, 2, 3, 0.5], spare: null },
      { s: [1, 2, 3, 4], spare: NaN },
      { s: [1, 2, 3, 4], spare: "0.1" },
    ];
    for (const state of badStates) {
      assertThrows(
        () => r.setState(state as RandomState),
        TypeError,
        "Cannot restore Random: malformed state",
      );
    }
    assertEquals(r.getState(), before, "a rejected state leaves the generator as it was");
  });
});

Deno.test("Random.next() and normal() have the right ranges and moments", () => {
  const r = new Random(2024);
  const u = draws(r, 20000);
  assert(u.every((v) => v >= 0 && v < 1), "next() in [0, 1)");
  const mean = u.reduce((s, v) => s + v) / u.length;
  // standard error of the mean of U(0,1) over 20000 draws is 0.002
  assertLess(Math.abs(mean - 0.5), 0.01, `mean ${mean}`);
  const z = Array.from({ length: 20000 }, () => r.normal());
  const zMean = z.reduce((s, v) => s + v) / z.length;
  const zVar = z.reduce((s, v) => s + (v - zMean) ** 2, 0) / (z.length - 1);
  assertLess(Math.abs(zMean), 0.035, `normal mean ${zMean}`);
  assertLess(Math.abs(zVar - 1), 0.05, `normal variance ${zVar}`);
  assert(z.every(Number.isFinite), "normal() is finite");
});

Deno.test("Random.int() stays in [0, n) without modulo bias", async (t) => {
  await t.step("n = 3: 30000 draws from seed 5 split evenly (each count within 5σ of 10000)", () => {
    const r = new Random(5);
    const counts = [0, 0, 0];
    for (let k = 0; k < 30000; k++) counts[r.int(3)]++;
    // σ = √(30000 · ⅓ · ⅔) ≈ 82
    for (const c of counts) assertLess(Math.abs(c - 10000), 410, `counts ${counts}`);
  });
  await t.step("n = 2³¹ + 1, where plain u % n would put 3/4 of draws in the lower half", () => {
    const r = new Random(6), n = 2 ** 31 + 1;
    let low = 0;
    for (let k = 0; k < 4000; k++) {
      const v = r.int(n);
      assert(Number.isInteger(v) && v >= 0 && v < n, `draw ${v}`);
      if (v < n / 2) low++;
    }
    assertLess(Math.abs(low / 4000 - 0.5), 0.04, `fraction in the lower half ${low / 4000}`);
  });
  await t.step("edge bounds: int(1) is 0, int(2³²) covers the full range", () => {
    const r = new Random(8);
    for (let k = 0; k < 100; k++) assertEquals(r.int(1), 0);
    const big = Array.from({ length: 1000 }, () => r.int(2 ** 32));
    assert(big.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32));
    assert(big.some((v) => v >= 2 ** 31), "draws reach the upper half");
  });
  await t.step("a bad n is a RangeError naming the value", () => {
    const r = new Random(1);
    for (const n of [0, -1, 1.5, NaN, Infinity, 2 ** 32 + 1]) {
      assertThrows(() => r.int(n), RangeError, `'n' must be an integer in [1, 2^32]: current value is ${n}`);
    }
  });
});

Deno.test("Random.shuffle() returns the same array as a uniform permutation", async (t) => {
  await t.step("a permutation of the input, in place, reproducible by seed", () => {
    const items = Array.from({ length: 50 }, (_, k) => k);
    const out = new Random(12).shuffle(items);
    assert(out === items, "shuffles in place");
    assertEquals([...out].sort((a, b) => a - b), Array.from({ length: 50 }, (_, k) => k));
    assertNotEquals(out, Array.from({ length: 50 }, (_, k) => k));
    assertEquals(new Random(12).shuffle(Array.from({ length: 50 }, (_, k) => k)), out);
  });
  await t.step("empty and one-element arrays are returned unchanged", () => {
    assertEquals(new Random(1).shuffle([]), []);
    assertEquals(new Random(1).shuffle(["a"]), ["a"]);
  });
  await t.step("all 6 orders of 3 items appear about equally often (6000 shuffles, seed 4)", () => {
    const r = new Random(4);
    const counts = new Map<string, number>();
    for (let k = 0; k < 6000; k++) {
      const key = r.shuffle([1, 2, 3]).join("");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    assertEquals(counts.size, 6);
    // σ = √(6000 · ⅙ · ⅚) ≈ 29
    for (const [key, c] of counts) assertLess(Math.abs(c - 1000), 145, `${key}: ${c}`);
  });
});
