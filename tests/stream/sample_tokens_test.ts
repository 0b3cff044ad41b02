import {
  assert,
  assertEquals,
  assertLess,
  assertNotEquals,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import { concatMap, lastValueFrom, map, repeat, retry, share, Subject, take, takeUntil, toArray } from "rxjs";
import { cellForward, createJsBackend, initParams, Matrix, rnnCell } from "../../mod.ts";
import { plainErrors, testScheduler } from "../_marbles.ts";
import { pairCell } from "../_pair_cell.ts";
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

/** The RNN cell with its forward steps counted, and a forward that throws at call `failAt`. */
function countingCell(failAt = Infinity): { cell: ReturnType<typeof rnnCell>; forwards: () => number } {
  const base = rnnCell();
  let forwards = 0;
  const cell: ReturnType<typeof rnnCell> = {
    ...base,
    bind(backend) {
      const runtime = base.bind(backend);
      return {
        ...runtime,
        forward(...args) {
          if (++forwards === failAt) throw new Error("boom");
          runtime.forward(...args);
        },
      };
    },
  };
  return { cell, forwards: () => forwards };
}

Deno.test("sampleTokens() stops stepping the cell after take(3) (RxJS: should stop listening to a synchronous observable when unsubscribed)", () => {
  const { cell, forwards } = countingCell();
  const out: number[] = [];
  sampleTokens(params, { cell, length: 1000, prime: [0, 1] }).pipe(take(3)).subscribe((t) => out.push(t));
  assertStrictEquals(out.length, 3);
  // the two prime tokens, then the first two drawn tokens fed back; nothing after the third
  assertStrictEquals(forwards(), 4);
});

Deno.test("sampleTokens() errors the stream when the cell throws (RxJS: error, marbles)", () => {
  testScheduler().run(({ expectObservable }) => {
    const { cell } = countingCell(3);
    const tokens = sampleTokens(params, { cell, argmax: true, length: 10 }).pipe(
      map(() => "t"),
      plainErrors(),
    );
    // prime (call 1), token 1 fed (call 2), token 2 fed (call 3 throws)
    expectObservable(tokens).toBe("(tt#)", { t: "t" }, { name: "Error", message: "boom" });
  });
});

Deno.test("sampleTokens() stops at an early unsubscribe from inside next (RxJS: should allow unsubscribing early)", () => {
  const { cell, forwards } = countingCell();
  const out: number[] = [];
  const stop = new Subject<void>();
  sampleTokens(params, { cell, length: 1000 }).pipe(takeUntil(stop)).subscribe((t) => {
    out.push(t);
    if (out.length === 2) stop.next();
  });
  // the Subscriber is closed from its own handler: the loop sees it at once
  assertStrictEquals(out.length, 2);
  assertStrictEquals(forwards(), 2);
});

Deno.test("sampleTokens() starts over on retry, repeat and share (RxJS: retry / repeat / share)", async () => {
  const once = await run(params, { length: 6, seed: 4 });
  const { cell } = countingCell(4);
  const retried = await lastValueFrom(
    sampleTokens(params, { cell, length: 6, seed: 4 }).pipe(retry(1), toArray()),
  );
  // the failed attempt emitted 3 tokens, then the retry emits all 6 from the start
  assertEquals(retried, [...once.slice(0, 3), ...once]);
  const repeated = await lastValueFrom(
    sampleTokens(params, { length: 6, seed: 4 }).pipe(repeat(2), toArray()),
  );
  assertEquals(repeated, [...once, ...once]);
  const shared = sampleTokens(params, { length: 6, seed: 4 }).pipe(share());
  const a: number[] = [], b: number[] = [];
  const subject = new Subject<void>();
  subject.pipe(concatMap(() => shared)).subscribe((t) => a.push(t));
  shared.subscribe((t) => b.push(t));
  subject.next();
  assertEquals(a, once);
  assertEquals(b, once);
});

Deno.test("sampleTokens() in a re-entrant Subject feedback loop feeds each drawn token back (RxJS: re-entrant Subject)", () => {
  const subject = new Subject<number>();
  const out: number[] = [];
  subject.pipe(concatMap((t) => sampleTokens(params, { prime: [t], length: 1, argmax: true })))
    .subscribe((t) => {
      out.push(t);
      if (out.length < 6) subject.next(t);
    });
  subject.next(0);
  assertStrictEquals(out.length, 6);
  // each token is the argmax after a fresh state fed the previous token alone
  let prev = 0;
  for (const t of out) {
    const y = Array.from(cellForward(params, [prev], new Matrix(10, 1)).yHat.data);
    assertStrictEquals(t, y.indexOf(Math.max(...y)));
    prev = t;
  }
});

Deno.test("sampleTokens() never mutates the params or the prime", async () => {
  const before = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.data.slice()]));
  const prime = Object.freeze([0, 2, 3]);
  await run(params, { length: 20, prime });
  assertEquals(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.data])), before);
});

Deno.test("sampleTokens() samples from any cell: the pair cell with { cell }", async () => {
  const cell = pairCell();
  const pair = cell.init({ nx: 4, na: 5, ny: 4 }, { seed: 3 });
  const tokens = await lastValueFrom(
    sampleTokens(pair, { cell, length: 8, argmax: true, prime: [1] }).pipe(toArray()),
  );
  // reference: the pair cell's runtime, step by step from a zero two-part state
  const runtime = cell.bind(createJsBackend());
  let state = new Matrix(10, 1);
  let token = 1;
  const expected: number[] = [];
  for (let n = 0; n < 8; n++) {
    const cache = runtime.allocCache(pair, 1);
    runtime.forward(pair, Int32Array.of(token), state, null, cache);
    const z2 = Array.from(cell.logitsOf(cache).data);
    token = z2.indexOf(Math.max(...z2));
    expected.push(token);
    state = cell.stateOf(cache);
  }
  assertEquals(tokens, expected);
  const drawn = await lastValueFrom(sampleTokens(pair, { cell, length: 30, seed: 2 }).pipe(toArray()));
  assert(drawn.length === 30 && drawn.every((t) => t >= 0 && t < 4));
});
