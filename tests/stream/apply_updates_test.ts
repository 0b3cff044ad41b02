import { assert, assertEquals, assertThrows } from "@std/assert";
import { concat, defer, from, map, repeat, retry, share, Subject, take, tap, throwError } from "rxjs";
import {
  applyUpdates,
  cloneParams,
  forwardSteps,
  initParams,
  Matrix,
  rnnCell,
  tbptt,
  train,
  zeroGrads,
} from "../../mod.ts";
import type {
  ApplyUpdatesOptions,
  RnnParams,
  Sample,
  ScheduleInfo,
  TbpttWindow,
  TrainerSnapshot,
  UpdateRecord,
} from "../../mod.ts";
import { collectSync, cycleSamples, loopSource } from "../_sync.ts";
import { assertBitEqual } from "../_bit_equal.ts";
import { plainErrors, testScheduler } from "../_marbles.ts";

const SIZES = { nx: 3, na: 4, ny: 3 };
const NAMES = ["Wax", "Waa", "ba", "Wya", "by"] as const;

/** A hand-made window: gradient element q of tensor k is `grad(k, q)`. */
function fakeWindow(
  params: RnnParams,
  t: number,
  loss: number,
  grad: (k: number, q: number) => number = (k, q) => 0.1 * (k + 1) - 0.03 * q,
  steps = 2,
  columns = 1,
): TbpttWindow {
  const grads = zeroGrads(params);
  [grads.dWax, grads.dWaa, grads.dba, grads.dWya, grads.dby].forEach((g, k) =>
    g.data.forEach((_, q) => g.data[q] = grad(k, q))
  );
  // every step labeled (a variable, not a literal: type-checks with or without the `labeled` field)
  const window = {
    t,
    loss,
    steps,
    labeled: steps,
    depth: steps,
    columns,
    grads,
    aLast: new Matrix(SIZES.na, columns),
    skipped: 0,
    history: () => [],
  };
  return window;
}

function summary(u: UpdateRecord): { updates: number; rejected: number; accepted: boolean } {
  return { updates: u.updates, rejected: u.rejected, accepted: u.accepted };
}

function snapshotOf(p: RnnParams): Float64Array[] {
  return NAMES.map((k) => p[k].data.slice());
}

Deno.test("applyUpdates() emits one update record per window (marbles)", async (t) => {
  const upstream = new Error("upstream");
  const run = (source: string, expected: string, subs: string, out: Record<string, unknown> = {}) =>
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const params = initParams(SIZES, { seed: 1 });
      const values = {
        a: fakeWindow(params, 2, 1),
        b: fakeWindow(params, 4, 1),
        c: fakeWindow(params, 6, 1),
        n: fakeWindow(params, 8, NaN),
      };
      const s = cold(source, values, upstream);
      expectObservable(s.pipe(applyUpdates({ params }), map(summary), plainErrors()))
        .toBe(expected, out, { name: "Error", message: "upstream" });
      expectSubscriptions(s.subscriptions).toBe(subs);
    });
  const ok = (updates: number, rejected = 0) => ({ updates, rejected, accepted: true });
  await t.step("empty", () => run("|", "|", "(^!)"));
  await t.step("never", () => run("-", "-", "^"));
  await t.step("one value", () => run("-a|", "-1|", "^-!", { 1: ok(1) }));
  await t.step("many values, one rejected", () =>
    run("-a-n-b-c|", "-1-r-2-3|", "^-------!", {
      1: ok(1),
      r: { updates: 1, rejected: 1, accepted: false },
      2: ok(2, 1),
      3: ok(3, 1),
    }));
  await t.step("error", () => run("#", "#", "(^!)"));
  await t.step("error after values", () => run("-a-b#", "-1-2#", "^---!", { 1: ok(1), 2: ok(2) }));
});

Deno.test("applyUpdates() unsubscribes from its source when the subscriber leaves early (marbles)", () => {
  testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
    const params = initParams(SIZES, { seed: 1 });
    const s = cold("-a-b-c|", {
      a: fakeWindow(params, 2, 1),
      b: fakeWindow(params, 4, 1),
      c: fakeWindow(params, 6, 1),
    });
    expectObservable(s.pipe(applyUpdates({ params }), map((u) => u.updates)), "^--!").toBe("-1-", { 1: 1 });
    expectSubscriptions(s.subscriptions).toBe("^--!");
  });
});

Deno.test("applyUpdates() errors the stream when the schedule throws or returns a bad rate (marbles)", async (t) => {
  const cases: [string, (info: ScheduleInfo) => number, { name: string; message: string }][] = [
    ["throws", () => {
      throw new TypeError("schedule boom");
    }, { name: "TypeError", message: "schedule boom" }],
    ["returns NaN", () => NaN, {
      name: "RangeError",
      message: "The learning-rate schedule must return a finite number >= 0: got NaN",
    }],
    ["returns a negative rate", () => -0.1, {
      name: "RangeError",
      message: "The learning-rate schedule must return a finite number >= 0: got -0.1",
    }],
    ["returns Infinity", () => Infinity, {
      name: "RangeError",
      message: "The learning-rate schedule must return a finite number >= 0: got Infinity",
    }],
    ["returns a string", () => "0.1" as unknown as number, {
      name: "RangeError",
      message: "The learning-rate schedule must return a finite number >= 0: got 0.1",
    }],
  ];
  for (const [name, bad, error] of cases) {
    await t.step(`schedule ${name} on the second update`, () => {
      const params = initParams(SIZES, { seed: 1 });
      const before = snapshotOf(params);
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const s = cold("-a-b-c|", {
          a: fakeWindow(params, 2, 1),
          b: fakeWindow(params, 4, 1),
          c: fakeWindow(params, 6, 1),
        });
        const schedule = (info: ScheduleInfo) => info.update === 0 ? 0 : bad(info);
        expectObservable(s.pipe(applyUpdates({ params, schedule }), map((u) => u.updates), plainErrors()))
          .toBe("-1-#", { 1: 1 }, error);
        expectSubscriptions(s.subscriptions).toBe("^--!");
      });
      // the first update used rate 0 and the failing one was never applied
      assertEquals(snapshotOf(params), before);
    });
  }
});

Deno.test("applyUpdates() validates its options when the factory is called", async (t) => {
  const params = initParams(SIZES, { seed: 1 });
  const cases: [string, Partial<ApplyUpdatesOptions>, typeof RangeError | typeof TypeError, string][] = [
    [
      "reduction",
      { reduction: "avg" as "sum" },
      RangeError,
      '\'reduction\' must be "sum" or "mean": current value is avg',
    ],
    [
      "clip.norm 0",
      { clip: { norm: 0 } },
      RangeError,
      "'clip.norm' must be a finite number > 0: current value is 0",
    ],
    [
      "clip.value -1",
      { clip: { value: -1 } },
      RangeError,
      "'clip.value' must be a finite number > 0: current value is -1",
    ],
    ["clip.norm Infinity", { clip: { norm: Infinity } }, RangeError, "current value is Infinity"],
    ["clip not an object", { clip: 5 as unknown as { norm: number } }, TypeError, "'clip' must be an object"],
    ["optimizer type", { optimizer: { type: "lbfgs" as "sgd" } }, RangeError, "current value is lbfgs"],
    [
      "learningRate",
      { optimizer: { type: "sgd", learningRate: -1 } },
      RangeError,
      "'learningRate' is out of range: current value is -1",
    ],
    [
      "schedule",
      { schedule: 0.1 as unknown as () => number },
      TypeError,
      "'schedule' must be a function: got number",
    ],
    [
      "optimizerState of another type",
      {
        optimizer: { type: "adam" },
        optimizerState: { type: "sgd", t: 0, slots: {} },
      },
      TypeError,
      "Cannot restore the adam optimizer from a state of type sgd",
    ],
  ];
  for (const [name, extra, ErrorClass, message] of cases) {
    await t.step(name, () => {
      assertThrows(() => applyUpdates({ params, ...extra }), ErrorClass, message);
    });
  }
});

Deno.test("applyUpdates() applies the reduced gradient with the optimizer", async (t) => {
  const run = (options: Partial<ApplyUpdatesOptions>, steps = 2, columns = 1) => {
    const params = initParams(SIZES, { seed: 2 });
    const before = snapshotOf(params);
    const window = fakeWindow(params, steps, 1, undefined, steps, columns);
    const grads = [
      window.grads.dWax,
      window.grads.dWaa,
      window.grads.dba,
      window.grads.dWya,
      window.grads.dby,
    ]
      .map((g) => g.data.slice());
    let record: UpdateRecord | undefined;
    from([window]).pipe(applyUpdates({ params, ...options })).subscribe((u) => record = u);
    return { params, before, grads, record: record! };
  };
  await t.step("reduction 'sum': p − lr·g exactly", () => {
    const { params, before, grads, record } = run({
      optimizer: { type: "sgd", learningRate: 0.5 },
      reduction: "sum",
      clip: {},
    });
    NAMES.forEach((k, i) => assertEquals(params[k].data, before[i].map((v, q) => v - 0.5 * grads[i][q])));
    assertEquals(record.learningRate, 0.5);
    assertEquals(record.optimizerState().t, 1);
  });
  await t.step("reduction 'mean': p − lr·g/(k1·m)", () => {
    const { params, before, grads } = run({ optimizer: { type: "sgd", learningRate: 0.5 }, clip: {} }, 5, 3);
    NAMES.forEach((k, i) =>
      assertEquals(params[k].data, before[i].map((v, q) => v - 0.5 * (grads[i][q] * (1 / 15))))
    );
  });
  await t.step("clip by norm: gradNorm is reported before clipping", () => {
    const { params, before, grads, record } = run({
      optimizer: { type: "sgd", learningRate: 1 },
      reduction: "sum",
      clip: { norm: 0.01 },
    });
    const norm = Math.sqrt(grads.reduce((s, g) => s + g.reduce((a, v) => a + v * v, 0), 0));
    assert(Math.abs(record.gradNorm - norm) < 1e-12 * norm, `gradNorm ${record.gradNorm} vs ${norm}`);
    const step = Math.sqrt(
      NAMES.reduce((s, k, i) => s + params[k].data.reduce((a, v, q) => a + (v - before[i][q]) ** 2, 0), 0),
    );
    assert(Math.abs(step - 0.01) < 1e-12, `step length ${step}`);
  });
});

Deno.test("applyUpdates() rejects a window with non-finite loss or gradients without touching the parameters", async (t) => {
  const cases: [string, number, (k: number, q: number) => number, number | null][] = [
    ["NaN loss", NaN, (k, q) => 0.1 * k + 0.01 * q, null],
    ["Infinity loss", Infinity, (k, q) => 0.1 * k + 0.01 * q, null],
    ["NaN gradient", 1, (k, q) => k === 3 && q === 2 ? NaN : 0.1, NaN],
    ["Infinity gradient", 1, (k, q) => k === 0 && q === 0 ? -Infinity : 0.1, Infinity],
  ];
  for (const [name, loss, grad, norm] of cases) {
    await t.step(name, () => {
      const params = initParams(SIZES, { seed: 3 });
      const seen: UpdateRecord[] = [];
      const states: number[] = [];
      const snaps: Float64Array[][] = [];
      const windows = [fakeWindow(params, 2, 1), fakeWindow(params, 4, loss, grad), fakeWindow(params, 6, 1)];
      snaps.push(snapshotOf(params));
      from(windows).pipe(applyUpdates({ params, optimizer: { type: "adam", learningRate: 0.1 } }))
        .subscribe((u) => {
          seen.push(u);
          states.push(u.optimizerState().t);
          snaps.push(snapshotOf(params));
        });
      assertEquals(seen.map(summary), [
        { updates: 1, rejected: 0, accepted: true },
        { updates: 1, rejected: 1, accepted: false },
        { updates: 2, rejected: 1, accepted: true },
      ]);
      assertEquals(states, [1, 1, 2]);
      assertEquals(seen[1].learningRate, 0);
      if (norm !== null) assertEquals(seen[1].gradNorm, norm);
      assertEquals(snaps[2], snaps[1]); // bit-identical across the rejected window
      assert(snaps[3][0].some((v, q) => v !== snaps[2][0][q])); // training goes on
    });
  }
});

Deno.test("applyUpdates() calls the schedule with the update count, step and base rate", () => {
  const params = initParams(SIZES, { seed: 4 });
  const calls: ScheduleInfo[] = [];
  const rates: number[] = [];
  from([fakeWindow(params, 3, 1), fakeWindow(params, 6, NaN), fakeWindow(params, 9, 1)])
    .pipe(applyUpdates({
      params,
      optimizer: { type: "sgd", learningRate: 0.2 },
      start: { updates: 5, rejected: 2 },
      schedule: (info) => {
        calls.push(info);
        return info.learningRate / (info.update + 1);
      },
    }))
    .subscribe((u) => rates.push(u.learningRate));
  assertEquals(calls, [
    { update: 5, step: 3, learningRate: 0.2 },
    { update: 6, step: 9, learningRate: 0.2 },
  ]);
  assertEquals(rates, [0.2 / 6, 0, 0.2 / 7]);
});

Deno.test("applyUpdates() keeps optimizer state per subscription (parameters are the shared live ones)", async (t) => {
  const windows = (params: RnnParams) => [1, 2, 3, 4].map((i) => fakeWindow(params, 2 * i, 1));
  const options = { optimizer: { type: "adam", learningRate: 0.05 }, reduction: "sum", clip: {} } as const;
  const single = () => {
    const params = initParams(SIZES, { seed: 5 });
    let last: UpdateRecord | undefined;
    from(windows(params)).pipe(applyUpdates({ params, ...options })).subscribe((u) => last = u);
    return { params, state: last!.optimizerState() };
  };
  const reference = single();
  await t.step("two sequential subscriptions start from fresh moments", () => {
    const params = initParams(SIZES, { seed: 5 });
    const initial = cloneParams(params);
    const op = applyUpdates({ params, ...options });
    const source = from(windows(params));
    for (let run = 0; run < 2; run++) {
      for (const k of NAMES) params[k].data.set(initial[k].data); // the caller owns the live params
      let last: UpdateRecord | undefined;
      source.pipe(op).subscribe((u) => last = u);
      assertEquals(last!.optimizerState(), reference.state);
      assertEquals(snapshotOf(params), snapshotOf(reference.params));
    }
  });
  await t.step("two interleaved subscriptions each count their own updates and moments", () => {
    const params = initParams(SIZES, { seed: 5 });
    const op = applyUpdates({ params, ...options });
    const subject = new Subject<TbpttWindow>();
    const states: ReturnType<UpdateRecord["optimizerState"]>[] = [];
    subject.pipe(op).subscribe((u) => states[0] = u.optimizerState());
    subject.pipe(op).subscribe((u) => states[1] = u.optimizerState());
    for (const w of windows(params)) subject.next(w);
    subject.complete();
    assertEquals(states[0], reference.state);
    assertEquals(states[1], reference.state);
  });
});

Deno.test("applyUpdates() continues from optimizerState exactly", () => {
  const params = initParams(SIZES, { seed: 6 });
  // fresh windows each time: the stage reduces and clips the gradients in place
  const windows = () => [1, 2, 3, 4, 5].map((i) => fakeWindow(params, i, 1, (k, q) => Math.sin(i + k + q)));
  const options = { optimizer: { type: "adamw", learningRate: 0.05 }, clip: { norm: 1 } } as const;
  const whole = cloneParams(params);
  from(windows()).pipe(applyUpdates({ params: whole, ...options })).subscribe();
  const split = cloneParams(params);
  let state: ReturnType<UpdateRecord["optimizerState"]> | undefined;
  from(windows().slice(0, 2)).pipe(applyUpdates({ params: split, ...options })).subscribe((u) =>
    state = u.optimizerState()
  );
  from(windows().slice(2)).pipe(applyUpdates({ params: split, ...options, optimizerState: state }))
    .subscribe();
  assert(snapshotOf(whole)[0].some((v, q) => v !== params.Wax.data[q]));
  assertEquals(snapshotOf(split), snapshotOf(whole));
});

Deno.test("applyUpdates() refuses an optimizer state whose buffers do not fit the parameters", async (t) => {
  const samples = cycleSamples(8);
  const snapshotOf = (na: number): TrainerSnapshot => {
    let snap: TrainerSnapshot | undefined;
    from(samples).pipe(train({ sizes: { nx: 3, na, ny: 3 }, k1: 4 })).subscribe((e) => snap = e.snapshot());
    return snap!;
  };
  await t.step("a smaller model's moments would write NaN into the parameters: throws at creation", () => {
    const big = snapshotOf(6), small = snapshotOf(4);
    assertThrows(
      () => train({ resume: { ...big, optimizer: small.optimizer } }),
      RangeError,
      "optimizer state's 'Wax.m' has 12 values, expected 18 (the size of 'Wax')",
    );
  });
  await t.step("a bigger model's moments would be silently misaligned: throws at creation", () => {
    const big = snapshotOf(6), small = snapshotOf(4);
    assertThrows(
      () => applyUpdates({ params: small.params, optimizerState: big.optimizer }),
      RangeError,
      "expected 12 (the size of 'Wax')",
    );
  });
  await t.step("a buffer of no parameter: throws at creation", () => {
    const small = snapshotOf(4);
    const optimizerState = {
      ...small.optimizer,
      slots: { ...small.optimizer.slots, "Wzz.m": new Float64Array(1) },
    };
    assertThrows(
      () => applyUpdates({ params: small.params, optimizerState }),
      RangeError,
      "'Wzz.m' belongs to no parameter",
    );
  });
  await t.step("a fitting state still resumes", () => {
    const small = snapshotOf(4);
    const events = collectSync(from(samples).pipe(train({ resume: small })));
    assertEquals(events.error, undefined);
    assertEquals(events.values.length, 2);
  });
});

Deno.test("applyUpdates() validates its starting counters (a resume's) when the factory is called", () => {
  const params = initParams(SIZES, { seed: 1 });
  assertThrows(
    () => applyUpdates({ params, start: { updates: -1, rejected: 0 } }),
    RangeError,
    "Cannot create applyUpdates() as 'start.updates' must be an integer >= 0: current value is -1",
  );
  assertThrows(
    () => applyUpdates({ params, start: { updates: 0, rejected: NaN } }),
    RangeError,
    "'start.rejected' must be an integer >= 0: current value is NaN",
  );
  // a snapshot whose counters say more windows were rejected than closed
  let snap: TrainerSnapshot | undefined;
  from(cycleSamples(4)).pipe(train({ sizes: SIZES, k1: 2 })).subscribe((e) => snap = e.snapshot());
  const counters = { ...snap!.counters, rejected: snap!.counters.windows + 1 };
  assertThrows(
    () => train({ resume: { ...snap!, counters } }),
    RangeError,
    "'start.updates' must be an integer >= 0",
  );
});

Deno.test("applyUpdates(): a record's optimizerState() throws once a later update has stepped the optimizer", () => {
  const params = initParams(SIZES, { seed: 1 });
  const records = collectSync<UpdateRecord>(
    from(cycleSamples(6)).pipe(forwardSteps({ params }), tbptt({ params, k1: 2 }), applyUpdates({ params })),
  ).values;
  assertEquals(records.length, 3);
  // it returned the optimizer's current state (t = 3), not the state after its own update (t = 1)
  assertThrows(
    () => records[0].optimizerState(),
    Error,
    "Cannot read the optimizer state of update 1: the optimizer has stepped since",
  );
  // the newest record still answers, after the stream ended too
  assertEquals(records[2].optimizerState().t, 3);
});

Deno.test("applyUpdates() keeps the clip thresholds it validated, whatever happens to the caller's object", () => {
  const run = (mutate: boolean) => {
    const params = initParams(SIZES, { seed: 1 });
    const clip = { norm: 0.01 };
    const op = applyUpdates({ params, clip, optimizer: { type: "sgd", learningRate: 1 }, reduction: "sum" });
    if (mutate) clip.norm = NaN;
    return collectSync<UpdateRecord>(
      from(cycleSamples(4)).pipe(forwardSteps({ params }), tbptt({ params, k1: 2 }), op),
    );
  };
  const reference = run(false), mutated = run(true);
  assertEquals(mutated.error, undefined);
  assertEquals(mutated.values.map((u) => u.gradNorm), reference.values.map((u) => u.gradNorm));
});
Deno.test("applyUpdates() forwards a throwing cell to the stream's error, synchronously", async (t) => {
  const params = initParams(SIZES, { seed: 1 });
  const base = rnnCell();
  await t.step("applyUpdates(): cell.slots() throws", () => {
    let windows = 0;
    const cell: typeof base = {
      ...base,
      slots: (p, g) => {
        if (++windows === 2) throw new Error("slots boom");
        return base.slots(p, g);
      },
    };
    const out = collectSync<UpdateRecord>(
      from(cycleSamples(4)).pipe(
        forwardSteps({ params }),
        tbptt({ params, k1: 2 }),
        applyUpdates({ params, cell }),
      ),
    );
    assertEquals(out.values.length, 1);
    assertEquals((out.error as Error)?.message, "slots boom");
  });
});

Deno.test("applyUpdates() stops pulling a synchronous endless source after take(3) (RxJS: should stop listening to a synchronous observable when unsubscribed)", () => {
  const params = initParams(SIZES, { seed: 1 });
  const loop = loopSource((i) => fakeWindow(params, 2 * (i + 1), 1));
  const out = collectSync<UpdateRecord>(loop.source.pipe(applyUpdates({ params }), take(3)));
  assertEquals(out.values.map((u) => u.updates), [1, 2, 3]);
  assertEquals(loop.pulled(), 3);
  assertEquals(loop.finalized(), 1);
});

Deno.test("applyUpdates() on an error releases the source before any write to the parameters (RxJS: should raise error when a callback throws)", async (t) => {
  const cases: [string, (params: RnnParams) => Partial<ApplyUpdatesOptions>][] = [
    ["schedule throws on the third update", () => ({
      schedule: (info) => {
        if (info.update === 2) throw new Error("boom");
        return 0.1;
      },
    })],
    ["cell.slots() throws on the third window", () => {
      const base = rnnCell();
      let windows = 0;
      return {
        cell: {
          ...base,
          slots: (p, g) => {
            if (++windows === 3) throw new Error("boom");
            return base.slots(p, g);
          },
        },
      };
    }],
  ];
  for (const [name, extra] of cases) {
    await t.step(name, () => {
      const params = initParams(SIZES, { seed: 1 });
      const loop = loopSource((i) => fakeWindow(params, 2 * (i + 1), 1));
      let before: Float64Array[] = [];
      const out = collectSync<UpdateRecord>(
        loop.source.pipe(
          applyUpdates({ params, optimizer: { type: "adam" }, ...extra(params) }),
          tap(() => before = snapshotOf(params)),
        ),
      );
      assertEquals((out.error as Error).message, "boom");
      assertEquals(out.values.length, 2);
      assertEquals(loop.pulled(), 3);
      assertEquals(loop.finalized(), 1);
      assertBitEqual(snapshotOf(params), before);
    });
  }
});

Deno.test("applyUpdates() never mutates the windows it receives: two consumers of one share()d stream see the same gradients", async (t) => {
  for (const reduction of ["mean", "sum"] as const) {
    await t.step(`reduction "${reduction}" with clipping`, () => {
      const params = initParams(SIZES, { seed: 7 });
      const p1 = cloneParams(params), p2 = cloneParams(params);
      const subject = new Subject<Sample>();
      const windows = subject.pipe(forwardSteps({ params }), tbptt({ params, k1: 2 }), share());
      const options = {
        reduction,
        clip: { norm: 0.05 },
        optimizer: { type: "sgd" as const, learningRate: 0.1 },
      };
      const norms1: number[] = [], norms2: number[] = [];
      const grads: Float64Array[][] = [];
      windows.pipe(applyUpdates({ params: p1, ...options })).subscribe((u) => norms1.push(u.gradNorm));
      windows.pipe(applyUpdates({ params: p2, ...options })).subscribe((u) => {
        norms2.push(u.gradNorm);
        grads.push(NAMES.map((k) => u.window.grads[`d${k}`].data.slice()));
      });
      const kept: Float64Array[][] = [];
      windows.subscribe((w) => kept.push(NAMES.map((k) => w.grads[`d${k}`].data.slice())));
      cycleSamples(6).forEach((s) => subject.next(s));
      assertEquals(norms1.length, 3);
      assertEquals(norms2, norms1);
      // the window's gradients after both update stages are the ones tbptt() emitted
      assertBitEqual(grads, kept);
      assertBitEqual(snapshotOf(p2), snapshotOf(p1));
    });
  }
});

Deno.test("applyUpdates() starts from fresh moments on retry and repeat (RxJS: should handle retry / repeat)", () => {
  const template = initParams(SIZES, { seed: 8 });
  const windows = (p: RnnParams) => [1, 2, 3].map((i) => fakeWindow(p, 2 * i, 1));
  const once = [1, 2, 3].map((n) => ({ updates: n, t: n }));
  const params = cloneParams(template);
  let attempts = 0;
  const failing = defer(() =>
    attempts++ === 0
      ? concat(from(windows(params).slice(0, 1)), throwError(() => new Error("once")))
      : from(windows(params))
  );
  const retried: { updates: number; t: number }[] = [];
  failing.pipe(applyUpdates({ params }), retry(1)).subscribe((u) =>
    retried.push({ updates: u.updates, t: u.optimizerState().t })
  );
  // the failed subscription's update, then a fresh count and fresh moments
  assertEquals(retried, [once[0], ...once]);
  const repeated: { updates: number; t: number }[] = [];
  from(windows(params)).pipe(applyUpdates({ params }), repeat(2)).subscribe((u) =>
    repeated.push({ updates: u.updates, t: u.optimizerState().t })
  );
  assertEquals(repeated, [...once, ...once]);
});

Deno.test("applyUpdates() in a re-entrant Subject feedback loop counts every window once (RxJS: re-entrant Subject)", () => {
  const params = initParams(SIZES, { seed: 9 });
  const subject = new Subject<TbpttWindow>();
  const seen: number[] = [];
  subject.pipe(applyUpdates({ params, optimizer: { type: "sgd", learningRate: 0.1 } })).subscribe((u) => {
    seen.push(u.updates);
    if (u.updates < 5) subject.next(fakeWindow(params, 2 * (u.updates + 1), 1));
  });
  subject.next(fakeWindow(params, 2, 1));
  assertEquals(seen, [1, 2, 3, 4, 5]);
});
