import { assert, assertEquals, assertLess, assertStrictEquals, assertThrows } from "@std/assert";
import { from, map, Subject } from "rxjs";
import type { Observable } from "rxjs";
import { forwardSteps, fromRows, initParams, Matrix, rnnCell } from "../../mod.ts";
import type { Sample, StepRecord } from "../../mod.ts";
import { plainErrors, testScheduler } from "../_marbles.ts";

const SIZES = { nx: 3, na: 4, ny: 3 };

/** A token sample for one column: input t, target (t + 1) mod 3. */
function tok(t: number): Sample {
  return { x: [t], y: [(t + 1) % 3] };
}

const SAMPLES = { a: tok(0), b: tok(1), c: tok(2), d: tok(0) };

function summary(r: StepRecord): { index: number; skipped: number } {
  return { index: r.index, skipped: r.skipped };
}

function losses(samples: readonly unknown[], options: Parameters<typeof forwardSteps>[0]): number[] {
  const out: number[] = [];
  from(samples as Sample[]).pipe(forwardSteps(options)).subscribe((r) => out.push(r.loss));
  return out;
}

Deno.test("forwardSteps() emits one record per sample, on the sample's frame (marbles)", async (t) => {
  const params = initParams(SIZES, { seed: 1 });
  const upstream = new Error("upstream");
  const run = (source: string, expected: string, subs: string, values: Record<string, unknown> = {}) =>
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const s = cold(source, SAMPLES, upstream);
      expectObservable(s.pipe(forwardSteps({ params }), map(summary), plainErrors()))
        .toBe(expected, values, { name: "Error", message: "upstream" });
      expectSubscriptions(s.subscriptions).toBe(subs);
    });
  const r = (index: number) => ({ index, skipped: 0 });
  await t.step("empty", () => run("|", "|", "(^!)"));
  await t.step("never", () => run("-", "-", "^"));
  await t.step("one value", () => run("-a|", "-0|", "^-!", { 0: r(0) }));
  await t.step(
    "many values",
    () => run("-a-b-c-d|", "-0-1-2-3|", "^-------!", { 0: r(0), 1: r(1), 2: r(2), 3: r(3) }),
  );
  await t.step("error", () => run("#", "#", "(^!)"));
  await t.step("error after values", () => run("-a-b#", "-0-1#", "^---!", { 0: r(0), 1: r(1) }));
});

Deno.test("forwardSteps() unsubscribes from its source when the subscriber leaves early (marbles)", () => {
  const params = initParams(SIZES, { seed: 1 });
  testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
    const s = cold("-a-b-c-d|", SAMPLES);
    expectObservable(s.pipe(forwardSteps({ params }), map((r) => r.index)), "^----!")
      .toBe("-0-1-", { 0: 0, 1: 1 });
    expectSubscriptions(s.subscriptions).toBe("^----!");
  });
});

Deno.test("forwardSteps() errors the stream at an invalid sample and unsubscribes (marbles)", () => {
  const params = initParams(SIZES, { seed: 1 });
  testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
    const s = cold("-a-b-x-c|", { ...SAMPLES, x: { x: [7], y: [0] } });
    expectObservable(s.pipe(forwardSteps({ params }), map((r) => r.index), plainErrors()))
      .toBe("-0-1-#", { 0: 0, 1: 1 }, {
        name: "RangeError",
        message: "Invalid sample at step 2: 'x[0]' must be a token index in [0, 3): current value is 7",
      });
    expectSubscriptions(s.subscriptions).toBe("^----!");
  });
});

Deno.test("forwardSteps() forwards a throw from onSkip as the stream's error (marbles)", () => {
  const params = initParams(SIZES, { seed: 1 });
  testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
    const s = cold("-a-x-b|", { ...SAMPLES, x: null as unknown as Sample });
    const op = forwardSteps({
      params,
      onInvalid: "skip",
      onSkip: () => {
        throw new Error("boom");
      },
    });
    expectObservable(s.pipe(op, map((r) => r.index), plainErrors()))
      .toBe("-0-#", { 0: 0 }, { name: "Error", message: "boom" });
    expectSubscriptions(s.subscriptions).toBe("^--!");
  });
});

Deno.test("forwardSteps() forwards a throw from the cell's forward step as the stream's error (marbles)", () => {
  const params = initParams(SIZES, { seed: 1 });
  const base = rnnCell();
  let calls = 0;
  const cell: typeof base = {
    ...base,
    bind: (backend) => {
      const runtime = base.bind(backend);
      return {
        ...runtime,
        forward: (...args) => {
          if (++calls === 3) throw new Error("cell boom");
          runtime.forward(...args);
        },
      };
    },
  };

  testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
    const s = cold("-a-b-c-d|", SAMPLES);
    expectObservable(s.pipe(forwardSteps({ params, cell }), map((r) => r.index), plainErrors()))
      .toBe("-0-1-#", { 0: 0, 1: 1 }, { name: "Error", message: "cell boom" });
    expectSubscriptions(s.subscriptions).toBe("^----!");
  });
});

Deno.test("forwardSteps() with onInvalid 'skip' counts skipped samples on the records (marbles)", () => {
  const params = initParams(SIZES, { seed: 1 });
  testScheduler().run(({ cold, expectObservable }) => {
    const s = cold("-a-x-b-y-c|", { ...SAMPLES, x: { x: [3], y: [0] }, y: { x: [0, 1], y: [0] } });
    expectObservable(s.pipe(forwardSteps({ params, onInvalid: "skip" }), map(summary)))
      .toBe("-0---1---2|", {
        0: { index: 0, skipped: 0 },
        1: { index: 1, skipped: 1 },
        2: { index: 2, skipped: 2 },
      });
  });
});

Deno.test("forwardSteps() rejects each kind of invalid sample with an error naming the step and the value", async (t) => {
  const params = initParams(SIZES, { seed: 2 });
  const dense = (rows: number[][]) => fromRows(rows);
  const cases: [string, unknown, typeof RangeError | typeof TypeError, string][] = [
    ["wrong token count", { x: [0, 1], y: [0] }, RangeError, "'x' has 2 token indices, expected 1"],
    ["wrong dense shape", { x: dense([[1], [0]]), y: [0] }, RangeError, "'x' has shape 2x1, expected 3x1"],
    [
      "token out of range",
      { x: [3], y: [0] },
      RangeError,
      "'x[0]' must be a token index in [0, 3): current value is 3",
    ],
    ["negative token", { x: [-1], y: [0] }, RangeError, "current value is -1"],
    ["fractional token", { x: [0.5], y: [0] }, RangeError, "current value is 0.5"],
    [
      "target out of range",
      { x: [0], y: [9] },
      RangeError,
      "'y[0]' must be a token index in [0, 3): current value is 9",
    ],
    [
      "NaN feature",
      { x: dense([[0], [NaN], [1]]), y: [0] },
      RangeError,
      "'x' must be finite: value at (1, 0) is NaN",
    ],
    [
      "Infinity feature",
      { x: dense([[Infinity], [0], [1]]), y: [0] },
      RangeError,
      "value at (0, 0) is Infinity",
    ],
    ["non-object sample", 42, TypeError, "a sample must be an object { x, y, reset? }: got number 42"],
    ["null sample", null, TypeError, "got null"],
    [
      "bad reset flag",
      { x: [0], y: [0], reset: [2] },
      TypeError,
      "'reset[0]' must be a boolean or 0/1: current value is 2",
    ],
    [
      "reset of wrong length",
      { x: [0], y: [0], reset: [1, 0] },
      RangeError,
      "'reset' has length 2, expected 1",
    ],
  ];
  for (const [name, bad, ErrorClass, what] of cases) {
    await t.step(`${name}: onInvalid "error"`, () => {
      let error: Error | undefined;
      const seen: number[] = [];
      from([tok(0), tok(1), tok(2), bad as Sample, tok(0)]).pipe(forwardSteps({ params }))
        .subscribe({ next: (r) => seen.push(r.index), error: (e) => error = e });
      assertEquals(seen, [0, 1, 2]);
      assert(error instanceof ErrorClass, `${error} is a ${ErrorClass.name}`);
      assert(error.message.startsWith("Invalid sample at step 3: "), error.message);
      assert(error.message.includes(what), `${error.message} names ${what}`);
    });
    await t.step(`${name}: onInvalid "skip"`, () => {
      const calls: [Error, unknown, number][] = [];
      const records: StepRecord[] = [];
      from([tok(0), tok(1), tok(2), bad as Sample, tok(0), bad as Sample, tok(1)])
        .pipe(forwardSteps({ params, onInvalid: "skip", onSkip: (e, s, i) => calls.push([e, s, i]) }))
        .subscribe((r) => records.push(r));
      assertEquals(records.map((r) => [r.index, r.skipped]), [[0, 0], [1, 0], [2, 0], [3, 1], [4, 2]]);
      assertEquals(calls.map(([, s, i]) => [s, i]), [[bad, 3], [bad, 5]]);
      assert(calls[0][0] instanceof ErrorClass);
      assert(calls[0][0].message.includes("step 3") && calls[1][0].message.includes("step 5"));
      const clean = losses([tok(0), tok(1), tok(2), tok(0), tok(1)], { params });
      assertEquals(records.map((r) => r.loss), clean);
    });
  }
});

Deno.test("forwardSteps() validates its options when the factory is called", async (t) => {
  const params = initParams(SIZES, { seed: 1 });
  const cases: [string, Record<string, unknown>, string][] = [
    [
      "onInvalid",
      { onInvalid: "ignore" },
      '\'onInvalid\' must be "error" or "skip": current value is ignore',
    ],
    ["pool 1", { pool: 1 }, "'pool' must be 0 or an integer >= 2: current value is 1"],
    ["pool -2", { pool: -2 }, "current value is -2"],
    ["pool 2.5", { pool: 2.5 }, "current value is 2.5"],
    ["startIndex", { startIndex: -1 }, "'startIndex' must be an integer >= 0: current value is -1"],
    ["startSkipped", { startSkipped: 0.5 }, "'startSkipped' must be an integer >= 0: current value is 0.5"],
    ["head", { head: "sigmoid" }, "current value is sigmoid"],
    ["a0 shape", { a0: new Matrix(3, 1) }, "a0"],
  ];
  for (const [name, extra, message] of cases) {
    await t.step(name, () => {
      assertThrows(() => forwardSteps({ params, ...extra }), RangeError, message);
    });
  }
  await t.step("non-finite a0", () => {
    const a0 = new Matrix(4, 1);
    a0.data[2] = NaN;
    assertThrows(() => forwardSteps({ params, a0 }), RangeError, "a0");
  });
});

Deno.test("forwardSteps() keeps its hidden state per subscription", async (t) => {
  const params = initParams(SIZES, { seed: 3 });
  const samples = Array.from({ length: 12 }, (_, i) => tok((i * 2) % 3));
  const reference = losses(samples, { params });
  const op = forwardSteps({ params });
  await t.step("two sequential subscriptions see the same losses", () => {
    const source = from(samples);
    const first: number[] = [], second: number[] = [];
    source.pipe(op).subscribe((r) => first.push(r.loss));
    source.pipe(op).subscribe((r) => second.push(r.loss));
    assertEquals(first, reference);
    assertEquals(second, reference);
  });
  await t.step("two interleaved subscriptions to one Subject see the same losses", () => {
    const subject = new Subject<Sample>();
    const shared: Observable<StepRecord> = subject.pipe(op);
    const first: number[] = [], second: number[] = [];
    shared.subscribe((r) => first.push(r.loss));
    shared.subscribe((r) => second.push(r.loss));
    for (const s of samples) subject.next(s);
    subject.complete();
    assertEquals(first, reference);
    assertEquals(second, reference);
  });
  await t.step("a0 is copied, not changed", () => {
    const a0 = fromRows([[0.1], [-0.2], [0.3], [0]]);
    const before = a0.data.slice();
    const got = losses(samples, { params, a0 });
    assertEquals(a0.data, before);
    assertEquals(losses(samples, { params, a0 }), got);
    assert(got[0] !== reference[0]);
  });
});

Deno.test("forwardSteps() numbers steps from startIndex and startSkipped", () => {
  const params = initParams(SIZES, { seed: 1 });
  const seen: [number, number][] = [];
  from([tok(0), null as unknown as Sample, tok(1)])
    .pipe(forwardSteps({ params, startIndex: 40, startSkipped: 2, onInvalid: "skip" }))
    .subscribe((r) => seen.push([r.index, r.skipped]));
  assertEquals(seen, [[40, 2], [41, 3]]);
});

Deno.test("forwardSteps() with a pool recycles caches and keeps each record valid for pool − 1 steps", () => {
  const params = initParams(SIZES, { seed: 4 });
  const samples = Array.from({ length: 9 }, (_, i) => tok(i % 3));
  const fresh: StepRecord[] = [];
  from(samples).pipe(forwardSteps({ params })).subscribe((r) => fresh.push(r));
  const pooled: StepRecord[] = [];
  const intact: boolean[] = [];
  from(samples).pipe(forwardSteps({ params, pool: 3 })).subscribe((r) => {
    pooled.push(r);
    // the record from pool − 1 = 2 steps back is still intact
    const back = pooled.length - 3;
    if (back >= 0) {
      intact.push(pooled[back].cache.a.data.every((v, q) => v === fresh[back].cache.a.data[q]));
    }
  });
  assertEquals(intact, Array(samples.length - 2).fill(true));
  assertEquals(pooled.map((r) => r.loss), fresh.map((r) => r.loss));
  assertStrictEquals(pooled[0].cache, pooled[3].cache);
  assert(pooled[0].cache !== pooled[1].cache && fresh[0].cache !== fresh[3].cache);
});

/** Per-column loss of a record: −log ŷ[y_j, j]. */
function columnLoss(r: StepRecord, j: number): number {
  const y = r.y as Int32Array;
  const m = r.cache.yHat.cols;
  return -Math.log(r.cache.yHat.data[y[j] * m + j]);
}

function column(r: StepRecord, j: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < r.cache.yHat.rows; i++) out.push(r.cache.yHat.get(i, j));
  return out;
}

Deno.test("forwardSteps() restarts a reset column from zero: it equals a fresh single stream from that step", async (t) => {
  const params = initParams(SIZES, { seed: 5 });
  const T = 8, s = 3;
  const xs = Array.from({ length: T }, (_, i) => [i % 3, (i * 2 + 1) % 3]);
  const ys = Array.from({ length: T }, (_, i) => [(i + 1) % 3, (i * 2) % 3]);
  for (const j of [0, 1]) {
    await t.step(`reset on column ${j} at step ${s}`, () => {
      const batch: StepRecord[] = [];
      from(xs.map((x, i) => ({ x, y: ys[i], reset: i === s ? [j === 0, j === 1] : undefined })))
        .pipe(forwardSteps({ params })).subscribe((r) => batch.push(r));
      const single = (col: number, from0: number): StepRecord[] => {
        const out: StepRecord[] = [];
        from(xs.slice(from0).map((x, i) => ({ x: [x[col]], y: [ys[from0 + i][col]] })))
          .pipe(forwardSteps({ params })).subscribe((r) => out.push(r));
        return out;
      };
      const kept = single(1 - j, 0), before = single(j, 0), after = single(j, s);
      for (let i = 0; i < T; i++) {
        const ref = i < s ? before[i] : after[i - s];
        const yHat = column(batch[i], j), want = column(ref, 0);
        yHat.forEach((v, q) => assertLess(Math.abs(v - want[q]), 1e-12, `yHat at step ${i}`));
        assertLess(Math.abs(columnLoss(batch[i], j) - ref.loss), 1e-12, `loss of column ${j} at step ${i}`);
        assertLess(Math.abs(batch[i].loss - ref.loss - kept[i].loss), 1e-12, `batch loss at step ${i}`);
      }
    });
  }
  await t.step("a reset on step 0 is the same as the zero start", () => {
    const run = (reset?: boolean[]) => {
      const out: number[] = [];
      from(xs.map((x, i) => ({ x, y: ys[i], reset: i === 0 ? reset : undefined })))
        .pipe(forwardSteps({ params })).subscribe((r) => out.push(...r.cache.a.data));
      return out;
    };
    assertEquals(run([true, true]), run());
    assertEquals(run([false, true]), run());
  });
});
