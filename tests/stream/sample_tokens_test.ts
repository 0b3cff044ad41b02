import { assertEquals, assertLess, assertNotEquals, assertStrictEquals, assertThrows } from "@std/assert";
import { lastValueFrom, take, toArray } from "rxjs";
import { cellForward, initParams, Matrix } from "../../mod.ts";
import { sampleTokens } from "../../src/stream/sample_tokens.ts";
import type { SampleTokensOptions } from "../../src/stream/sample_tokens.ts";
import type { RnnParams } from "../../mod.ts";

const params = initParams({ nx: 6, na: 10, ny: 6 }, { seed: 11, init: "randn", scale: 0.8 });

function run(p: RnnParams, options: SampleTokensOptions): Promise<number[]> {
  return lastValueFrom(sampleTokens(p, options).pipe(toArray()));
}

Deno.test("sampleTokens() is deterministic for a seed and cold", async (t) => {
  await t.step("same seed, same tokens; another seed, other tokens", async () => {
    const a = await run(params, { length: 50, seed: 1 });
    assertStrictEquals(a.length, 50);
    assertEquals(await run(params, { length: 50, seed: 1 }), a);
    assertNotEquals(await run(params, { length: 50, seed: 2 }), a);
  });
  await t.step("each subscription starts over", async () => {
    const tokens$ = sampleTokens(params, { length: 20, seed: 5 });
    const first = await lastValueFrom(tokens$.pipe(toArray()));
    const second = await lastValueFrom(tokens$.pipe(toArray()));
    assertEquals(second, first);
  });
  await t.step("it emits synchronously", () => {
    const out: number[] = [];
    sampleTokens(params, { length: 5 }).subscribe((t) => out.push(t));
    assertStrictEquals(out.length, 5);
  });
});

Deno.test("sampleTokens() with argmax follows the most likely token of cellForward", async () => {
  const prime = [2, 3];
  const tokens = await run(params, { length: 12, argmax: true, prime });
  // reference: the checked public cell, step by step
  let a = new Matrix(10, 1);
  let cache = cellForward(params, [prime[0]], a);
  cache = cellForward(params, [prime[1]], cache.a);
  const expected: number[] = [];
  for (let n = 0; n < 12; n++) {
    const y = Array.from(cache.yHat.data);
    const best = y.indexOf(Math.max(...y));
    expected.push(best);
    a = cache.a;
    cache = cellForward(params, [best], a);
  }
  assertEquals(tokens, expected);
});

Deno.test("sampleTokens() draws from softmax(z2 / temperature)", async (t) => {
  // Wya = 0: every step predicts softmax(by / T), whatever the state
  const fixed = initParams({ nx: 4, na: 3, ny: 4 }, { seed: 1 });
  fixed.Wya.data.fill(0);
  fixed.by.data.set([0, 1, 2, -1]);
  for (const temperature of [1, 0.5, 2]) {
    await t.step(
      `temperature ${temperature}: frequencies within 0.01 of the probabilities (20,000 draws)`,
      async () => {
        const tokens = await run(fixed, { length: 20000, temperature, seed: 3 });
        const counts = [0, 0, 0, 0];
        for (const k of tokens) counts[k]++;
        const w = [0, 1, 2, -1].map((z) => Math.exp(z / temperature));
        const sum = w.reduce((s, v) => s + v, 0);
        counts.forEach((c, k) => assertLess(Math.abs(c / tokens.length - w[k] / sum), 0.01, `token ${k}`));
      },
    );
  }
  await t.step("a tiny temperature is the argmax", async () => {
    const tokens = await run(fixed, { length: 100, temperature: 1e-3, seed: 3 });
    assertStrictEquals(tokens.every((k) => k === 2), true);
  });
});

Deno.test("sampleTokens() stops at the stop token and on unsubscribe", async (t) => {
  await t.step("the stop token ends the stream and is not emitted", async () => {
    const all = await run(params, { length: 200, seed: 4 });
    const stop = all[7];
    const cut = await run(params, { length: 200, seed: 4, stopToken: stop });
    assertEquals(cut, all.slice(0, all.indexOf(stop)));
  });
  await t.step("take(3) of an (almost) endless stream returns at once", async () => {
    const tokens = await lastValueFrom(
      sampleTokens(params, { length: 1e12, seed: 1 }).pipe(take(3), toArray()),
    );
    assertEquals(tokens, await run(params, { length: 3, seed: 1 }));
  });
  await t.step("length 0 completes empty", async () => {
    assertEquals(await run(params, { length: 0 }), []);
  });
});

Deno.test("sampleTokens() refuses bad options when called", async (t) => {
  const cases: [string, SampleTokensOptions, string][] = [
    ["temperature 0", { temperature: 0 }, "'temperature' must be a finite number > 0: current value is 0"],
    ["temperature -1", { temperature: -1 }, "'temperature'"],
    ["temperature NaN", { temperature: NaN }, "'temperature'"],
    ["length -1", { length: -1 }, "'length' must be an integer >= 0"],
    ["length 1.5", { length: 1.5 }, "'length'"],
    ["empty prime", { prime: [] }, "'prime' must hold at least one token"],
    ["prime out of range", { prime: [0, 6] }, "'prime[1]' must be a token in [0, 6): current value is 6"],
    ["stop token out of range", { stopToken: 7 }, "'stopToken'"],
    ["seed 0.5", { seed: 0.5 }, "'seed' must be a safe integer"],
  ];
  for (const [name, options, message] of cases) {
    await t.step(name, () => {
      assertThrows(() => sampleTokens(params, options), RangeError, message);
    });
  }
  await t.step("a model whose n_x differs from n_y", () => {
    assertThrows(
      () => sampleTokens(initParams({ nx: 3, na: 2, ny: 4 })),
      RangeError,
      "n_x is 3 and n_y is 4",
    );
  });
});

Deno.test("sampleTokens() with resetToken restarts from a zero state whenever that token is fed", async (t) => {
  const prime = [0, 3, 0, 4];
  for (const resetToken of [0, 3]) {
    await t.step(`resetToken ${resetToken} (argmax, checked against cellForward)`, async () => {
      const tokens = await run(params, { length: 30, argmax: true, prime, resetToken });
      const zero = new Matrix(10, 1);
      let cache = cellForward(params, [prime[0]], zero);
      for (const token of prime.slice(1)) {
        cache = cellForward(params, [token], token === resetToken ? zero : cache.a);
      }
      const expected: number[] = [];
      for (let n = 0; n < 30; n++) {
        const y = Array.from(cache.yHat.data);
        const best = y.indexOf(Math.max(...y));
        expected.push(best);
        cache = cellForward(params, [best], best === resetToken ? zero : cache.a);
      }
      assertEquals(tokens, expected);
    });
  }
  await t.step("out of range", () => {
    assertThrows(
      () => sampleTokens(params, { resetToken: -1 }),
      RangeError,
      "'resetToken' must be a token in [0, 6)",
    );
  });
});
