import { assert, assertEquals, assertLess, assertStrictEquals, assertThrows } from "@std/assert";
import { concat, defer, from, map, NEVER, repeat, retry, share, Subject, take, tap, throwError } from "rxjs";
import { cloneParams, createJsBackend, fromRows, initParams, Matrix, rnnCell, train } from "../../mod.ts";
import { cloneData } from "../../src/math/clone_data.ts";
import { assertBitEqual } from "../_bit_equal.ts";
import { pairCell } from "../_pair_cell.ts";
import type { PairCache, PairGrads, PairParams } from "../_pair_cell.ts";
import type { RnnParams, Sample, TrainerSnapshot, TrainEvent, TrainOptions } from "../../mod.ts";
import { expectOperator, plainErrors, testScheduler } from "../_marbles.ts";
import { fixture, paramsOf, relError } from "../_fixture.ts";
import { collectSync, cycleSamples, loopSource } from "../_sync.ts";

const SIZES = { nx: 3, na: 4, ny: 3 };
const TOL = 1e-9;
const NAMES = ["Wax", "Waa", "ba", "Wya", "by"] as const;

/** m columns of a periodic token stream: column j reads "abc…" shifted by j. */
function tokenSamples(n: number, m = 1): Sample[] {
  return Array.from({ length: n }, (_, i) => ({
    x: Array.from({ length: m }, (_, j) => (i + j) % 3),
    y: Array.from({ length: m }, (_, j) => (i + j + 1) % 3),
  }));
}

function values(p: RnnParams): Float64Array[] {
  return NAMES.map((k) => p[k].data.slice());
}

/** Everything deterministic about an event (not the clock), with the parameters copied. */
function summary(e: TrainEvent) {
  return {
    step: e.step,
    window: e.window,
    loss: e.loss,
    meanLoss: e.meanLoss,
    smoothLoss: e.smoothLoss,
    gradNorm: e.gradNorm,
    learningRate: e.learningRate,
    accepted: e.accepted,
    counters: { ...e.counters },
    params: values(e.params),
  };
}

function events(samples: readonly Sample[], options: TrainOptions): ReturnType<typeof summary>[] {
  const out: ReturnType<typeof summary>[] = [];
  from(samples).pipe(train(options)).subscribe((e) => out.push(summary(e)));
  return out;
}

Deno.test("train() emits one event per window, on the window's closing frame (marbles)", async (t) => {
  const samples = tokenSamples(4);
  const values = { a: samples[0], b: samples[1], c: samples[2], d: samples[3] };
  const run = (source: string, k1: number, expected: string, subs: string, out = {}) =>
    expectOperator(
      (s) =>
        s.pipe(
          train({ params: initParams(SIZES, { seed: 1 }), k1 }),
          map((e) => ({ step: e.step, window: e.window })),
        ),
      values,
      { source, expected, subs, out },
    );
  await t.step("empty", () => run("|", 2, "|", "(^!)"));
  await t.step("never", () => run("-", 2, "-", "^"));
  await t.step("one value, k1 = 1", () => run("-a|", 1, "-e|", "^-!", { e: { step: 1, window: 1 } }));
  await t.step(
    "many values, k1 = 2: windows on steps 2 and 4",
    () =>
      run("-a-b-c-d|", 2, "---e---f|", "^-------!", { e: { step: 2, window: 1 }, f: { step: 4, window: 2 } }),
  );
  await t.step("error", () => run("#", 2, "#", "(^!)"));
  await t.step(
    "error after values",
    () => run("-a-b-c#", 2, "---e--#", "^-----!", { e: { step: 2, window: 1 } }),
  );
});

Deno.test("train() unsubscribes from its source when the subscriber leaves early (marbles)", () => {
  const samples = tokenSamples(4);
  testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
    const s = cold("-a-b-c-d|", { a: samples[0], b: samples[1], c: samples[2], d: samples[3] });
    const params = initParams(SIZES, { seed: 1 });
    expectObservable(s.pipe(train({ params, k1: 2 }), map((e) => e.window)), "^-----!").toBe("---1--", {
      1: 1,
    });
    expectSubscriptions(s.subscriptions).toBe("^-----!");
  });
});

Deno.test("train() errors the stream when a callback throws or the schedule returns a bad rate (marbles)", async (t) => {
  const samples = tokenSamples(4);
  const cases: [string, Partial<TrainOptions>, unknown][] = [
    ["schedule throws", {
      schedule: (i) => {
        if (i.update === 1) throw new Error("schedule boom");
        return 0.01;
      },
    }, { name: "Error", message: "schedule boom" }],
    ["schedule returns NaN", { schedule: (i) => i.update === 1 ? NaN : 0.01 }, {
      name: "RangeError",
      message: "The learning-rate schedule must return a finite number >= 0: got NaN",
    }],
    ["schedule returns a negative rate", { schedule: (i) => i.update === 1 ? -1 : 0.01 }, {
      name: "RangeError",
      message: "The learning-rate schedule must return a finite number >= 0: got -1",
    }],
  ];
  for (const [name, extra, error] of cases) {
    await t.step(name, () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const s = cold("-a-b-c-d|", { a: samples[0], b: samples[1], c: samples[2], d: samples[3] });
        const params = initParams(SIZES, { seed: 1 });
        expectObservable(s.pipe(train({ params, k1: 2, ...extra }), map((e) => e.window), plainErrors()))
          .toBe("---1---#", { 1: 1 }, error);
        expectSubscriptions(s.subscriptions).toBe("^------!");
      });
    });
  }
  await t.step("onSkip throws", () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const s = cold("-a-b-x-c|", { a: samples[0], b: samples[1], c: samples[2], x: { x: [5], y: [0] } });
      const params = initParams(SIZES, { seed: 1 });
      const op = train({
        params,
        k1: 2,
        onInvalid: "skip",
        onSkip: () => {
          throw new Error("skip boom");
        },
      });
      expectObservable(s.pipe(op, map((e) => e.window), plainErrors()))
        .toBe("---1-#", { 1: 1 }, { name: "Error", message: "skip boom" });
      expectSubscriptions(s.subscriptions).toBe("^----!");
    });
  });
});

Deno.test("train() validates its options when the factory is called", async (t) => {
  const params = initParams(SIZES, { seed: 1 });
  const cases: [string, Partial<TrainOptions>, typeof RangeError | typeof TypeError, string][] = [
    [
      "k1 = 0",
      { k1: 0 },
      RangeError,
      "Cannot create train() as 'k1' must be an integer >= 1: current value is 0",
    ],
    ["k1 = 2.5", { k1: 2.5 }, RangeError, "'k1' must be an integer >= 1: current value is 2.5"],
    ["k2 < k1", { k1: 4, k2: 3 }, RangeError, "'k2' must be an integer >= k1: current value is 3"],
    ["k2 = 4.5", { k1: 4, k2: 4.5 }, RangeError, "current value is 4.5"],
    ["reduction", { reduction: "avg" as "sum" }, RangeError, "current value is avg"],
    ["head", { head: "relu" as "linear" }, RangeError, "current value is relu"],
    ["optimizer type", { optimizer: { type: "sgdw" as "sgd" } }, RangeError, "current value is sgdw"],
    ["learningRate", { optimizer: { type: "adam", learningRate: NaN } }, RangeError, "'learningRate'"],
    [
      "clip.norm",
      { clip: { norm: -5 } },
      RangeError,
      "'clip.norm' must be a finite number > 0: current value is -5",
    ],
    [
      "clip.value",
      { clip: { value: 0 } },
      RangeError,
      "'clip.value' must be a finite number > 0: current value is 0",
    ],
    [
      "onInvalid",
      { onInvalid: "drop" as "skip" },
      RangeError,
      '\'onInvalid\' must be "error" or "skip": current value is drop',
    ],
    ["smoothing", { smoothing: 1 }, RangeError, "'smoothing' must be in [0, 1): current value is 1"],
    ["a0 shape", { a0: new Matrix(2, 1) }, RangeError, "a0"],
    ["schedule", { schedule: 3 as unknown as () => number }, TypeError, "'schedule' must be a function"],
  ];
  for (const [name, extra, ErrorClass, message] of cases) {
    await t.step(name, () => {
      assertThrows(() => train({ params, ...extra }), ErrorClass, message);
    });
  }
  await t.step("no params, sizes or resume", () => {
    assertThrows(() => train({ k1: 2 }), TypeError, "one of 'params', 'sizes' or 'resume' is required");
  });
  await t.step("bad sizes", () => {
    assertThrows(() => train({ sizes: { nx: 0, na: 4, ny: 3 } }), RangeError, "'nx'");
  });
});

Deno.test("train() keeps all state per subscription and never changes the params it was given", async (t) => {
  const params = initParams(SIZES, { seed: 21 });
  const initial = values(params);
  const samples = tokenSamples(40, 2);
  const options: TrainOptions = { params, k1: 3, k2: 6, optimizer: { type: "adam", learningRate: 0.05 } };
  const reference = events(samples, { ...options, params: cloneParams(params) });
  assert(reference.length === 13 && reference[12].params[1].some((v, q) => v !== initial[1][q]));
  const op = train(options);
  await t.step("two sequential subscriptions to one cold source give identical runs", () => {
    const source = from(samples);
    for (let run = 0; run < 2; run++) {
      const got: ReturnType<typeof summary>[] = [];
      source.pipe(op).subscribe((e) => got.push(summary(e)));
      assertEquals(got, reference);
    }
  });
  await t.step("two interleaved subscriptions to one Subject give identical runs", () => {
    const subject = new Subject<Sample>();
    const got: ReturnType<typeof summary>[][] = [[], [], []];
    const subs = [0, 1].map((k) => subject.pipe(op).subscribe((e) => got[k].push(summary(e))));
    subject.next(samples[0]);
    // a third subscriber joins one sample late: it is an independent run on samples[1..]
    subs.push(subject.pipe(op).subscribe((e) => got[2].push(summary(e))));
    for (const s of samples.slice(1)) subject.next(s);
    subject.complete();
    for (const sub of subs) sub.unsubscribe();
    assertEquals(got[0], reference);
    assertEquals(got[1], reference);
    assertEquals(got[2], events(samples.slice(1), options));
  });
  await t.step("the params option is never mutated", () => {
    assertEquals(values(params), initial);
  });
});

Deno.test("train() applies the invalid-sample policy", async (t) => {
  const params = initParams(SIZES, { seed: 22 });
  const good = tokenSamples(12);
  const bads: [string, unknown, typeof RangeError | typeof TypeError, string][] = [
    ["wrong vector length", { x: [0, 1], y: [1] }, RangeError, "'x' has 2 token indices, expected 1"],
    [
      "token out of range",
      { x: [1], y: [3] },
      RangeError,
      "'y[0]' must be a token index in [0, 3): current value is 3",
    ],
    ["NaN feature", { x: fromRows([[NaN], [0], [0]]), y: [1] }, RangeError, "is NaN"],
    ["Infinity feature", { x: fromRows([[0], [-Infinity], [0]]), y: [1] }, RangeError, "is -Infinity"],
    ["non-object sample", "abc", TypeError, "got string abc"],
  ];
  const options: TrainOptions = { params, k1: 2, k2: 4, optimizer: { type: "sgd", learningRate: 0.3 } };
  const clean = events(good, options);
  for (const [name, bad, ErrorClass, what] of bads) {
    const dirty = [...good.slice(0, 3), bad as Sample, ...good.slice(3, 7), bad as Sample, ...good.slice(7)];
    await t.step(`${name}: "error" stops the stream naming step 3`, () => {
      let error: Error | undefined;
      const seen: number[] = [];
      from(dirty).pipe(train(options)).subscribe({
        next: (e) => seen.push(e.window),
        error: (e) => error = e,
      });
      assertEquals(seen, [1]);
      assert(error instanceof ErrorClass, String(error));
      assert(
        error.message.startsWith("Invalid sample at step 3: ") && error.message.includes(what),
        error.message,
      );
    });
    await t.step(`${name}: "skip" counts it and trains exactly as without it`, () => {
      const skipped: [string, number][] = [];
      const got = events(dirty, {
        ...options,
        onInvalid: "skip",
        onSkip: (e, s, i) => {
          assert(s === bad);
          skipped.push([e.constructor.name, i]);
        },
      });
      assertEquals(skipped, [[ErrorClass.name, 3], [ErrorClass.name, 8]]);
      assertEquals(got.map((e) => e.counters.skipped), [0, 1, 1, 2, 2, 2]);
      assertEquals(got.map((e) => ({ ...e, counters: { ...e.counters, skipped: 0 } })), clean);
    });
  }
});

Deno.test("train() rejects a window with non-finite loss or gradients and never lets it touch the parameters", async (t) => {
  await t.step("linear head, a finite target of 1e308 overflows the squared error", () => {
    const params = initParams(SIZES, { seed: 23 });
    const samples = Array.from({ length: 10 }, (_, i) => ({
      x: fromRows([[Math.sin(i)], [Math.cos(i)], [1]]),
      y: fromRows([[i === 5 ? 1e308 : Math.sin(i + 1)], [0], [0.5]]),
    }));
    const seen = events(samples, {
      params,
      head: "linear",
      k1: 2,
      optimizer: { type: "adam", learningRate: 0.01 },
    });
    assertEquals(seen.map((e) => e.accepted), [true, true, false, true, true]);
    assertEquals(seen.map((e) => e.counters.rejected), [0, 0, 1, 1, 1]);
    assertEquals(seen[2].loss, Infinity);
    assertEquals(seen[2].learningRate, 0);
    assertEquals(seen[2].params, seen[1].params); // bit-identical across the rejected window
    assertEquals(seen[2].smoothLoss, seen[1].smoothLoss);
    assert(seen[3].params[0].some((v, q) => v !== seen[2].params[0][q])); // and training goes on
  });
  await t.step("softmax head, x = ±1e308 makes Wax·x = Inf − Inf = NaN; a reset recovers", () => {
    const params = initParams(SIZES, { seed: 24 });
    params.Wax = fromRows([[2, -2, 0.1], [2, -2, -0.3], [-2, 2, 0.2], [2, -2, 0]]);
    const onehot = (k: number) => fromRows([0, 1, 2].map((r) => [r === k ? 1 : 0]));
    const samples: Sample[] = Array.from({ length: 10 }, (_, i) => ({
      x: i === 4 ? fromRows([[1e308], [1e308], [0]]) : onehot(i % 3),
      y: [(i + 1) % 3],
      reset: i === 6 ? [true] : undefined,
    }));
    let snapshots: TrainerSnapshot[] = [];
    const seen: ReturnType<typeof summary>[] = [];
    from(samples).pipe(train({ params, k1: 2, optimizer: { type: "adam", learningRate: 0.01 } }))
      .subscribe((e) => {
        seen.push(summary(e));
        snapshots = [...snapshots, e.snapshot()];
      });
    assertEquals(seen.map((e) => e.accepted), [true, true, false, true, true]);
    assert(Number.isNaN(seen[2].loss));
    assertEquals(seen[2].params, seen[1].params);
    assertEquals(snapshots[2].optimizer, snapshots[1].optimizer); // no moment update either
    assertEquals(snapshots[2].counters, { steps: 6, windows: 3, skipped: 0, rejected: 1 });
    assert(seen[4].params[0].some((v, q) => v !== seen[2].params[0][q]));
  });
});

Deno.test("train() with learning rate 0 gives batch losses equal to the per-column streams split at a reset", () => {
  const params = initParams(SIZES, { seed: 25 });
  const T = 8, s = 4;
  const xs = Array.from({ length: T }, (_, i) => [i % 3, (i * i) % 3]);
  const ys = Array.from({ length: T }, (_, i) => [(i + 2) % 3, (i + 1) % 3]);
  const options: TrainOptions = {
    params,
    k1: 2,
    k2: 6,
    reduction: "sum",
    optimizer: { type: "sgd", learningRate: 0 },
  };
  const batch = events(
    xs.map((x, i) => ({ x, y: ys[i], reset: i === s ? [false, true] : undefined })),
    options,
  );
  const single = (col: number, start: number, end: number) =>
    events(xs.slice(start, end).map((x, i) => ({ x: [x[col]], y: [ys[start + i][col]] })), options);
  const col0 = single(0, 0, T), before = single(1, 0, s), after = single(1, s, T);
  const col1 = [...before, ...after];
  batch.forEach((e, i) => {
    assert(Math.abs(e.loss - col0[i].loss - col1[i].loss) < 1e-12, `loss of window ${i + 1}`);
    assertEquals(e.params, values(params));
  });
});

Deno.test("train() resumes exactly from a snapshot", async (t) => {
  const cases: [string, TrainOptions, number][] = [
    ["k1 < k2 with adam, m = 2", { k1: 3, k2: 7, optimizer: { type: "adam", learningRate: 0.03 } }, 2],
    ["k1 < k2 with SGD + Nesterov", {
      k1: 2,
      k2: 5,
      optimizer: { type: "sgd", learningRate: 0.2, momentum: 0.9, nesterov: true },
      clip: { value: 1 },
    }, 1],
    ["k1 = k2 with rmsprop, sum reduction", {
      k1: 4,
      reduction: "sum",
      optimizer: { type: "rmsprop", learningRate: 0.01 },
    }, 3],
  ];
  for (const [name, options, m] of cases) {
    await t.step(name, () => {
      const params = initParams(SIZES, { seed: 26 });
      const samples = tokenSamples(60, m).map((s, i) => ({
        ...s,
        reset: i === 31 ? Array(m).fill(true) : undefined,
      }));
      const k1 = options.k1!;
      const whole = events(samples, { ...options, params });
      const n = Math.floor(whole.length / 2);
      let snapshot: TrainerSnapshot | undefined;
      let kept: Float64Array[] = [];
      from(samples).pipe(train({ ...options, params })).subscribe((e) => {
        if (e.window === n) {
          snapshot = e.snapshot();
          kept = values(e.params);
        }
      });
      // the snapshot is a deep copy: later windows did not change it
      assertEquals(values(snapshot!.params), kept);
      const resumed = train({ resume: snapshot });
      for (let run = 0; run < 2; run++) {
        // each subscription starts from its own copy of the snapshot (ring, moments, hidden state)
        const rest: ReturnType<typeof summary>[] = [];
        from(samples.slice(n * k1)).pipe(resumed).subscribe((e) => rest.push(summary(e)));
        assertEquals(rest, whole.slice(n));
      }
    });
  }
  await t.step("a conflicting option is a RangeError", () => {
    const params = initParams(SIZES, { seed: 27 });
    let snapshot: TrainerSnapshot | undefined;
    from(tokenSamples(8)).pipe(train({ params, k1: 2, k2: 4 })).subscribe((e) => snapshot = e.snapshot());
    assertThrows(
      () => train({ resume: snapshot, k1: 3 }),
      RangeError,
      "Cannot resume train() with 'k1' 3: the snapshot was made with 2",
    );
    assertThrows(() => train({ resume: snapshot, k2: 5 }), RangeError, "'k2' 5");
    assertThrows(() => train({ resume: snapshot, optimizer: { type: "sgd" } }), RangeError, "optimizer");
    // the same values are fine
    train({ resume: snapshot, k1: 2, k2: 4, optimizer: { type: "adam" } });
  });
});

Deno.test("train() snapshot() throws once the stream has moved on, instead of a state that would not resume", () => {
  const params = initParams({ nx: 3, na: 4, ny: 3 }, { seed: 3 });
  const samples = [0, 1, 2, 0, 1, 2, 0, 1].map((t) => ({ x: [t], y: [(t + 1) % 3] }));
  const events: TrainEvent[] = [];
  const sizes: number[] = [];
  from(samples).pipe(train({ params, k1: 2, k2: 4 })).subscribe((e) => {
    events.push(e);
    sizes.push(e.snapshot().history.length); // in time: fine
  });
  assertEquals(sizes, [2, 4, 4, 4]);
  assertThrows(() => events[0].snapshot(), Error, "the stream has moved on");
  assertThrows(() => events[3].snapshot(), Error, "the stream has moved on");
});

Deno.test("train() with learning rate 0 reports the PyTorch window losses and leaves parameters unchanged", () => {
  for (const c of fixture.tbptt) {
    const params = paramsOf(c);
    const losses: number[] = [];
    let last = cloneParams(params);
    from(c.xs.map((x, i) => ({ x: fromRows(x), y: fromRows(c.ys[i]) })))
      .pipe(train({
        params,
        k1: c.k1,
        k2: c.k2,
        reduction: "sum",
        optimizer: { type: "sgd", learningRate: 0 },
        a0: fromRows(c.a0),
      }))
      .subscribe((e) => {
        losses.push(e.loss);
        last = cloneParams(e.params);
      });
    c.windows.forEach((w, i) => assertLess(relError(losses[i], w.loss), TOL));
    assertEquals(losses.length, c.windows.length);
    for (const k of ["Wax", "Waa", "ba", "Wya", "by"] as const) assertEquals(last[k].data, params[k].data);
  }
});

Deno.test("train() is deterministic: same seed, same stream, bit-identical parameters", () => {
  const run = () => {
    const params = initParams({ nx: 7, na: 12, ny: 7 }, { seed: 11 });
    let out = params;
    const samples = Array.from(
      { length: 300 },
      (_, i) => ({ x: [(i * 3) % 7, (i * 5) % 7], y: [(i * 3 + 1) % 7, (i * 5 + 2) % 7] }),
    );
    from(samples).pipe(train({ params, k1: 5, k2: 9, optimizer: { type: "adam", learningRate: 0.01 } }))
      .subscribe((e) => out = cloneParams(e.params));
    return out;
  };
  const a = run(), b = run();
  for (const k of ["Wax", "Waa", "ba", "Wya", "by"] as const) assertEquals(a[k].data, b[k].data);
  assert(a.Waa.data.some((v, i) => v !== initParams({ nx: 7, na: 12, ny: 7 }, { seed: 11 }).Waa.data[i]));
});
Deno.test("train() refuses a snapshot whose smoothed loss is not finite (it stayed NaN for the rest of the run)", () => {
  let snap: TrainerSnapshot | undefined;
  from(cycleSamples(4)).pipe(train({ sizes: SIZES, k1: 2 })).subscribe((e) => snap = e.snapshot());
  assertThrows(
    () => train({ resume: { ...snap!, smoothLoss: NaN } }),
    RangeError,
    "Cannot resume train() as the snapshot's 'smoothLoss' must be null or finite: current value is NaN",
  );
  const events = collectSync<{ smoothLoss: number }>(
    from(cycleSamples(4)).pipe(train({ resume: { ...snap!, smoothLoss: null } })),
  );
  assert(events.values.every((e) => Number.isFinite(e.smoothLoss)));
});

/** A fresh copy of any cell's parameters' values, to compare bits later. */
function bits(p: Record<string, Matrix>): Record<string, Float64Array> {
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v.data.slice()]));
}

Deno.test("train() stops pulling a synchronous endless source after take(3) (RxJS: should stop listening to a synchronous observable when unsubscribed)", async (t) => {
  await t.step("from(endless generator), 65 tokens, k1 = 25: 75 samples pulled", () => {
    let pulled = 0;
    function* endless() {
      for (let i = 0;; i++) {
        pulled++;
        yield { x: [i % 65], y: [(i + 1) % 65] };
      }
    }
    const seen: number[] = [];
    from(endless()).pipe(train({ sizes: { nx: 65, na: 100, ny: 65 }, k1: 25 }), take(3))
      .subscribe((e) => seen.push(e.step));
    assertEquals(seen, [25, 50, 75]);
    assertEquals(pulled, 75);
  });
  await t.step("a loop source `for (…; !s.closed; …) s.next(…)`: 3·k1 pulled, its finalizer ran", () => {
    const loop = loopSource((i) => ({ x: [i % 3], y: [(i + 1) % 3] }));
    const out = collectSync(loop.source.pipe(train({ sizes: SIZES, k1: 4, k2: 6 }), take(3)));
    assertEquals(out.values.length, 3);
    assert(out.completed);
    assertEquals(loop.pulled(), 12);
    assertEquals(loop.finalized(), 1);
  });
});

Deno.test("train() on an error releases the source at once and changes no state after it (RxJS: should raise error and unsubscribe)", async (t) => {
  const k1 = 3;
  const sample = (i: number): Sample => ({ x: [i % 3], y: [(i + 1) % 3] });
  // name, options with a failure, the samples, how many the source had given at the failure
  const failing: [string, (fail: () => void) => Partial<TrainOptions>, (i: number) => Sample, number][] = [
    [
      "schedule throws on the third update",
      (fail) => ({
        schedule: (info) => {
          if (info.update === 2) fail();
          return 0.1;
        },
      }),
      sample,
      9,
    ],
    [
      "onSkip throws on an invalid sample in the third window",
      (fail) => ({
        onInvalid: "skip",
        onSkip: fail,
      }),
      (i) => i === 7 ? { x: [9], y: [0] } : sample(i),
      8,
    ],
    [
      "the cell's backward throws in the third window",
      (fail) => {
        const base = rnnCell();
        let windows = 0;
        return {
          cell: {
            ...base,
            bind(backend) {
              const runtime = base.bind(backend);
              return {
                ...runtime,
                backward(...args) {
                  // the newest step of a window is replayed first: count windows there
                  if (args[3] === null && ++windows === 3) fail();
                  return runtime.backward(...args);
                },
              };
            },
          },
        };
      },
      sample,
      9,
    ],
  ];
  for (const [name, options, make, pulled] of failing) {
    await t.step(name, () => {
      const loop = loopSource(make);
      const boom = new Error("boom");
      let before: Record<string, Float64Array> = {};
      let live: RnnParams | undefined;
      let after = 0;
      const out = collectSync<TrainEvent>(
        loop.source.pipe(
          train({
            sizes: SIZES,
            k1,
            optimizer: { type: "sgd", learningRate: 0.1 },
            ...options(() => {
              throw boom;
            }),
          }),
          tap({ next: (e) => (live = e.params, before = bits(e.params)), error: () => after++ }),
        ),
      );
      assertStrictEquals(out.error, boom);
      assertEquals(out.values.length, 2);
      assertEquals(loop.finalized(), 1);
      assertEquals(loop.pulled(), pulled);
      // no optimizer step and no write to the parameters after the window before the failure
      assertBitEqual(bits(live!), before);
      assertEquals(after, 1);
    });
  }
  await t.step(
    "the source errors: the error passes through, nothing after it (marbles '^ !')",
    () =>
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const s = cold("-a-b-c-#", { a: sample(0), b: sample(1), c: sample(2) }, new Error("upstream"));
        expectObservable(s.pipe(train({ sizes: SIZES, k1: 2 }), map((e) => e.step), plainErrors()))
          .toBe("---2---#", { 2: 2 }, { name: "Error", message: "upstream" });
        expectSubscriptions(s.subscriptions).toBe("^------!");
      }),
  );
});

Deno.test("train() releases its buffers on error and teardown: a later snapshot() refuses", async (t) => {
  for (const end of ["complete", "error", "unsubscribe"] as const) {
    await t.step(end, () => {
      const events: TrainEvent[] = [];
      const samples = cycleSamples(4);
      const source = end === "error"
        ? concat(from(samples), throwError(() => new Error("x")))
        : end === "complete"
        ? from(samples)
        : concat(from(samples), NEVER);
      const sub = source.pipe(train({ sizes: SIZES, k1: 2 })).subscribe({
        next: (e) => events.push(e),
        error: () => {},
      });
      sub.unsubscribe();
      assertEquals(events.length, 2);
      // the ring of step records was dropped: the snapshot cannot be made any more
      assertThrows(() => events[1].snapshot(), Error, "the stream has moved on");
    });
  }
});

Deno.test("train() restarts from its initial state on retry and repeat (RxJS: should handle retry / repeat)", async (t) => {
  const samples = cycleSamples(8);
  const options: TrainOptions = { sizes: SIZES, k1: 2, optimizer: { type: "adam", learningRate: 0.05 } };
  const reference = events(samples, options);
  await t.step("retry(1) after an error in the second subscription's source", () => {
    let attempts = 0;
    const source = defer(() =>
      attempts++ === 0
        ? concat(from(samples.slice(0, 5)), throwError(() => new Error("once")))
        : from(samples)
    );
    const out: ReturnType<typeof summary>[] = [];
    source.pipe(train(options), retry(1)).subscribe((e) => out.push(summary(e)));
    // the failed attempt's two windows, then a fresh run from the initial parameters
    assertEquals(out.slice(2), reference);
    assertEquals(out.slice(0, 2), reference.slice(0, 2));
  });
  await t.step("repeat(2) runs twice from the same start", () => {
    const out: ReturnType<typeof summary>[] = [];
    from(samples).pipe(train(options), repeat(2)).subscribe((e) => out.push(summary(e)));
    assertEquals(out, [...reference, ...reference]);
  });
});

Deno.test("train() with share(): two consumers see one run (RxJS: should share a single subscription)", () => {
  const samples = cycleSamples(8);
  const options: TrainOptions = { sizes: SIZES, k1: 2 };
  const subject = new Subject<Sample>();
  const shared = subject.pipe(train(options), share());
  const a: ReturnType<typeof summary>[] = [], b: ReturnType<typeof summary>[] = [];
  const pa: unknown[] = [], pb: unknown[] = [];
  shared.subscribe((e) => (a.push(summary(e)), pa.push(e.params)));
  shared.subscribe((e) => (b.push(summary(e)), pb.push(e.params)));
  samples.forEach((s) => subject.next(s));
  subject.complete();
  assertEquals(a, events(samples, options));
  assertEquals(b, a);
  pa.forEach((p, i) => assertStrictEquals(pb[i], p));
});

Deno.test("train() in a re-entrant Subject feedback loop trains as on the whole stream (RxJS: re-entrant Subject)", () => {
  const samples = cycleSamples(9);
  const options: TrainOptions = { sizes: SIZES, k1: 1, k2: 3 };
  const subject = new Subject<Sample>();
  const out: ReturnType<typeof summary>[] = [];
  subject.pipe(train(options)).subscribe((e) => {
    out.push(summary(e));
    // the consumer pushes the next sample while train() is still handling this one
    if (e.step < samples.length) subject.next(samples[e.step]);
    else subject.complete();
  });
  subject.next(samples[0]);
  assertEquals(out, events(samples, options));
});

Deno.test("train() never mutates what it receives: frozen samples, params, a0", () => {
  const params = initParams(SIZES, { seed: 4 });
  const kept = bits(params);
  const a0 = fromRows([[0.1], [0.2], [-0.1], [0.3]]);
  const a0Bits = a0.data.slice();
  const samples = cycleSamples(6).map((s) => Object.freeze({ x: Object.freeze(s.x), y: Object.freeze(s.y) }));
  const out = collectSync(from(samples).pipe(train({ params, a0, k1: 2 })));
  assertEquals(out.error, undefined);
  assertEquals(out.values.length, 3);
  assertBitEqual(bits(params), kept);
  assertBitEqual(a0.data, a0Bits);
});

Deno.test("train() takes the cell and the kernel backend as options, checked at creation", async (t) => {
  const params = initParams(SIZES, { seed: 1 });
  await t.step("an unknown backend name is a RangeError", () => {
    assertThrows(() => train({ params, backend: "x" }), RangeError, "'backend' must be one of \"js\"");
  });
  await t.step("a backend of the wrong type is a TypeError", () => {
    assertThrows(() => train({ params, backend: 3 as unknown as string }), TypeError, "'backend'");
  });
  await t.step("an unknown cell name is a RangeError, a wrong type a TypeError", () => {
    assertThrows(() => train({ params, cell: "tanh" as "rnn" }), RangeError, "current value is tanh");
    assertThrows(
      () => train({ params, cell: {} as "rnn" }),
      TypeError,
      '\'cell\' must be "rnn", "gru", "lstm" or a RecurrentCell',
    );
  });
  await t.step("a head that is not the cell's is a RangeError", () => {
    assertThrows(() => train({ params, cell: rnnCell(), head: "linear" }), RangeError, "the cell's head");
  });
  await t.step('cell "rnn", a cell object and a Backend object give the default run', () => {
    const samples = cycleSamples(6);
    const reference = events(samples, { params, k1: 2 });
    assertEquals(events(samples, { params, k1: 2, cell: "rnn", backend: "js" }), reference);
    assertEquals(events(samples, { params, k1: 2, cell: rnnCell(), backend: createJsBackend() }), reference);
  });
  await t.step("the snapshot records the cell's spec and the backend's name", () => {
    let snap: TrainerSnapshot | undefined;
    from(cycleSamples(4)).pipe(train({ params, k1: 2 })).subscribe((e) => snap = e.snapshot());
    assertEquals(snap!.cell, { kind: "rnn", head: "softmax" });
    assertEquals(snap!.backend, "wasm-f64"); // the default backend
  });
});

Deno.test("train() runs any cell: the pair cell trains, resumes bit for bit, and refuses another cell's snapshot", async (t) => {
  const sizes = { nx: 3, na: 5, ny: 3 };
  const samples = cycleSamples(48);
  const options: TrainOptions<PairParams, PairGrads, PairCache> = {
    cell: pairCell(),
    sizes,
    k1: 4,
    k2: 7,
    optimizer: { type: "adam", learningRate: 0.05 },
  };
  const run = (list: readonly Sample[], o: TrainOptions<PairParams, PairGrads, PairCache>) => {
    const out: { meanLoss: number; snapshot: TrainerSnapshot<PairParams, PairCache> }[] = [];
    from(list).pipe(train(o)).subscribe((e) => out.push({ meanLoss: e.meanLoss, snapshot: e.snapshot() }));
    return out;
  };
  await t.step("it learns the cycle, with a two-part state", () => {
    const out = run(samples, options);
    assertEquals(out.length, 12);
    assertLess(out.at(-1)!.meanLoss, out[0].meanLoss);
    const snap = out.at(-1)!.snapshot;
    assertEquals(snap.hidden.rows, 10);
    assertEquals(snap.cell, { kind: "pair", head: "softmax" });
  });
  await t.step("N windows straight = snapshot at N/2 + resume, bit for bit", () => {
    let straight: Record<string, Float64Array> = {};
    let half: TrainerSnapshot<PairParams, PairCache> | undefined;
    from(samples).pipe(train(options)).subscribe((e) => {
      if (e.window === 6) half = e.snapshot();
      straight = bits(e.params);
    });
    // through a structured clone too, as a checkpoint would store it
    for (const resume of [half!, cloneData(half!)]) {
      let resumed: Record<string, Float64Array> = {};
      from(samples.slice(24)).pipe(train({ cell: pairCell(), resume })).subscribe((e) =>
        resumed = bits(e.params)
      );
      assertBitEqual(resumed, straight);
    }
  });
  await t.step("resuming with another cell kind, or another cell's parameters, is one RangeError", () => {
    const half = run(samples.slice(0, 8), options).at(-1)!.snapshot;
    assertThrows(
      () => train({ resume: half as unknown as TrainerSnapshot }),
      RangeError,
      'Cannot resume train() as the snapshot\'s cell "pair" is not built in',
    );
    assertThrows(
      () => train({ cell: "rnn", resume: half as unknown as TrainerSnapshot }),
      RangeError,
      'Cannot resume train() with cell {"kind":"rnn","head":"softmax"}: the snapshot was made with {"kind":"pair","head":"softmax"}',
    );
    const { Wac: _, ...fewer } = half.params;
    assertThrows(
      () => train({ cell: pairCell(), resume: { ...half, params: fewer as PairParams } }),
      RangeError,
      "the snapshot's parameters (Wax, Waa, ba, Wya, by) are not the \"pair\" cell's (Wax, Waa, Wac, ba, Wya, by)",
    );
  });
});
