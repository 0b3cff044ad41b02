import { assert, assertEquals, assertLess, assertStrictEquals, assertThrows } from "@std/assert";
import { concat, defer, from, map, repeat, retry, share, Subject, take, throwError } from "rxjs";
import { bptt, cloneRecord, forwardSteps, fromRows, initParams, rnnCell, tbptt } from "../../mod.ts";
import { assertBitEqual } from "../_bit_equal.ts";
import type { RnnGrads, RnnParams, Sample, StepRecord, TbpttWindow } from "../../mod.ts";
import { fixture, paramsOf, relError, tokensOf } from "../_fixture.ts";
import { expectOperator, plainErrors, testScheduler } from "../_marbles.ts";
import { collectSync, cycleSamples, loopSource } from "../_sync.ts";

const TOL = 1e-9;
const GRADS = ["dWax", "dWaa", "dba", "dWya", "dby"] as const;

interface Seen {
  t: number;
  loss: number;
  depth: number;
  aLast: number[];
  grads: Record<keyof RnnGrads, Float64Array>;
}

function collect(w: TbpttWindow): Seen {
  const grads = {} as Seen["grads"];
  for (const k of GRADS) grads[k] = w.grads[k].data.slice(); // grads are reused: copy
  return { t: w.t, loss: w.loss, depth: w.depth, aLast: Array.from(w.aLast.data), grads };
}

const SIZES = { nx: 3, na: 4, ny: 3 };

function tokenSamples(n: number, m = 1): Sample[] {
  return Array.from({ length: n }, (_, i) => ({
    x: Array.from({ length: m }, (_, j) => (i + 2 * j) % 3),
    y: Array.from({ length: m }, (_, j) => (i * (j + 1) + 1) % 3),
  }));
}

/** Step records computed once (fresh caches), to feed tbptt() directly. */
function recordsOf(params: RnnParams, samples: readonly Sample[]): StepRecord[] {
  const out: StepRecord[] = [];
  from(samples).pipe(forwardSteps({ params })).subscribe((r) => out.push(r));
  return out;
}

interface Win {
  t: number;
  loss: number;
  depth: number;
  grads: Record<keyof RnnGrads, Float64Array>;
}

/** A window with its (reused) gradients copied. */
function copy(w: TbpttWindow): Win {
  const grads = {} as Win["grads"];
  for (const k of GRADS) grads[k] = w.grads[k].data.slice();
  return { t: w.t, loss: w.loss, depth: w.depth, grads };
}

function windowsOf(params: RnnParams, samples: readonly Sample[], k1: number, k2 = k1): Win[] {
  const out: Win[] = [];
  from(samples).pipe(forwardSteps({ params }), tbptt({ params, k1, k2 })).subscribe((w) => out.push(copy(w)));
  return out;
}

Deno.test("tbptt() matches every PyTorch TBPTT(k1, k2) window within 1e-9", async (t) => {
  for (const c of fixture.tbptt) {
    await t.step(`${c.name} (k1=${c.k1}, k2=${c.k2}, m=${c.m}, L=${c.L})`, () => {
      const params = paramsOf(c);
      const seen: Seen[] = [];
      from(c.xs.map((x, i) => ({ x: fromRows(x), y: fromRows(c.ys[i]) })))
        .pipe(forwardSteps({ params, a0: fromRows(c.a0) }), tbptt({ params, k1: c.k1, k2: c.k2 }))
        .subscribe((w) => seen.push(collect(w)));
      assertEquals(seen.map((s) => s.t), c.windows.map((w) => w.t));
      c.windows.forEach((ref, i) => {
        const got = seen[i];
        assertEquals(got.depth, Math.min(c.k2, ref.t));
        assertLess(relError(got.loss, ref.loss), TOL, `loss at t=${ref.t}`);
        assertLess(relError(Float64Array.from(got.aLast), ref.aLast), TOL, `aLast at t=${ref.t}`);
        for (const k of GRADS) assertLess(relError(got.grads[k], ref.grads[k]), TOL, `${k} at t=${ref.t}`);
      });
    });
  }
});

Deno.test("tbptt() gives the same windows from token samples as from one-hot matrices", () => {
  const c = fixture.tbptt.find((c) => c.name === "k1-less-than-k2")!;
  const run = (tokens: boolean): Seen[] => {
    const params = paramsOf(c);
    const out: Seen[] = [];
    from(
      c.xs.map((x, i) =>
        tokens ? { x: tokensOf(x), y: tokensOf(c.ys[i]) } : { x: fromRows(x), y: fromRows(c.ys[i]) }
      ),
    )
      .pipe(forwardSteps({ params, a0: fromRows(c.a0) }), tbptt({ params, k1: c.k1, k2: c.k2 }))
      .subscribe((w) => out.push(collect(w)));
    return out;
  };
  const dense = run(false), tokens = run(true);
  assertEquals(dense.length, tokens.length);
  dense.forEach((d, i) => {
    assertLess(relError(tokens[i].loss, d.loss), 1e-13);
    for (const k of GRADS) {
      assertLess(relError(tokens[i].grads[k], Array.from(d.grads[k]).map((v) => [v])), 1e-12);
    }
  });
});

Deno.test("tbptt() with k1 = k2 = T over a sequence of length T equals bptt()", async (t) => {
  for (const c of fixture.bptt.filter((c) => c.T > 1)) {
    await t.step(c.name, () => {
      const params = paramsOf(c);
      const seen: Seen[] = [];
      from(c.xs.map((x, i) => ({ x: fromRows(x), y: fromRows(c.ys[i]) })))
        .pipe(forwardSteps({ params, a0: fromRows(c.a0) }), tbptt({ params, k1: c.T, k2: c.T }))
        .subscribe((w) => seen.push(collect(w)));
      const ref = bptt(params, c.xs.map(fromRows), c.ys.map(fromRows), { a0: fromRows(c.a0) });
      assertEquals(seen.length, 1);
      assertEquals(seen[0].loss, ref.loss);
      for (const k of GRADS) assertEquals(seen[0].grads[k], ref.grads[k].data);
    });
  }
});

Deno.test("tbptt() closes a window every k1 records (marbles)", async (t) => {
  const params = initParams(SIZES, { seed: 1 });
  const recs = recordsOf(params, tokenSamples(6));
  const values = { a: recs[0], b: recs[1], c: recs[2], d: recs[3], e: recs[4], f: recs[5] };
  const run = (source: string, k1: number, k2: number, expected: string, subs: string, out = {}) =>
    expectOperator(
      (s) => s.pipe(tbptt({ params, k1, k2 }), map((w) => ({ t: w.t, depth: w.depth, steps: w.steps }))),
      values,
      { source, expected, subs, out },
    );
  await t.step("empty", () => run("|", 2, 2, "|", "(^!)"));
  await t.step("never", () => run("-", 2, 2, "-", "^"));
  await t.step(
    "one value, k1 = 1",
    () => run("-a|", 1, 3, "-w|", "^-!", { w: { t: 1, depth: 1, steps: 1 } }),
  );
  await t.step("one value, k1 = 2: no window yet", () => run("-a|", 2, 2, "--|", "^-!"));
  await t.step(
    "many values, k1 = 2, k2 = 3: windows on steps 2, 4, 6",
    () =>
      run("-a-b-c-d-e-f|", 2, 3, "---w---x---y|", "^-----------!", {
        w: { t: 2, depth: 2, steps: 2 },
        x: { t: 4, depth: 3, steps: 2 },
        y: { t: 6, depth: 3, steps: 2 },
      }),
  );
  await t.step("error", () => run("#", 2, 2, "#", "(^!)"));
  await t.step(
    "error after values",
    () => run("-a-b-c#", 2, 2, "---w--#", "^-----!", { w: { t: 2, depth: 2, steps: 2 } }),
  );
});

Deno.test("tbptt() unsubscribes from its source when the subscriber leaves early (marbles)", () => {
  const params = initParams(SIZES, { seed: 1 });
  const recs = recordsOf(params, tokenSamples(6));
  testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
    const s = cold("-a-b-c-d-e-f|", {
      a: recs[0],
      b: recs[1],
      c: recs[2],
      d: recs[3],
      e: recs[4],
      f: recs[5],
    });
    expectObservable(s.pipe(tbptt({ params, k1: 2 }), map((w) => w.t)), "^------!").toBe("---2---", { 2: 2 });
    expectSubscriptions(s.subscriptions).toBe("^------!");
  });
});

Deno.test("tbptt() forwards a throw from the cell's backward step as the stream's error (marbles)", () => {
  const params = initParams(SIZES, { seed: 1 });
  const recs = recordsOf(params, tokenSamples(4));
  const base = rnnCell();
  let windows = 0;
  const cell: typeof base = {
    ...base,
    bind: (backend) => {
      const runtime = base.bind(backend);
      return {
        ...runtime,
        backward: (...args) => {
          if (windows === 1) throw new Error("backward boom");
          runtime.backward(...args);
        },
      };
    },
  };

  testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
    const s = cold("-a-b-c-d|", { a: recs[0], b: recs[1], c: recs[2], d: recs[3] });
    const out = s.pipe(
      tbptt({ params, k1: 2, cell }),
      map((w) => {
        windows++;
        return w.t;
      }),
      plainErrors(),
    );
    expectObservable(out).toBe("---2---#", { 2: 2 }, { name: "Error", message: "backward boom" });
    expectSubscriptions(s.subscriptions).toBe("^------!");
  });
});

Deno.test("tbptt() validates its options when the factory is called", async (t) => {
  const params = initParams(SIZES, { seed: 1 });
  const recs = recordsOf(params, tokenSamples(3));
  const cases: [string, Record<string, unknown>, string][] = [
    ["k1 = 0", { k1: 0 }, "Cannot create tbptt() as 'k1' must be an integer >= 1: current value is 0"],
    ["k1 = 1.5", { k1: 1.5 }, "'k1' must be an integer >= 1: current value is 1.5"],
    ["k1 = NaN", { k1: NaN }, "current value is NaN"],
    [
      "k2 < k1",
      { k1: 3, k2: 2 },
      "Cannot create tbptt() as 'k2' must be an integer >= k1: current value is 2",
    ],
    ["k2 = 4.5", { k1: 3, k2: 4.5 }, "'k2' must be an integer >= k1: current value is 4.5"],
    [
      "history longer than k2",
      { k1: 1, k2: 2, history: recs },
      "current length is 3",
    ],
    ["history not an array", { k1: 1, history: 5 }, "'history'"],
    ["head", { k1: 1, head: "tanh" }, "current value is tanh"],
  ];
  for (const [name, extra, message] of cases) {
    await t.step(name, () => {
      assertThrows(() => tbptt({ params, k1: 1, ...extra }), RangeError, message);
    });
  }
});

Deno.test("tbptt() keeps its ring of records per subscription", async (t) => {
  const params = initParams(SIZES, { seed: 7 });
  const samples = tokenSamples(20, 2);
  const reference = windowsOf(params, samples, 3, 5);
  const op = tbptt({ params, k1: 3, k2: 5 });
  const fwd = forwardSteps({ params });
  await t.step("two sequential subscriptions give the same windows", () => {
    const source = from(samples).pipe(fwd);
    for (let run = 0; run < 2; run++) {
      const got: Win[] = [];
      source.pipe(op).subscribe((w) => got.push(copy(w)));
      assertEquals(got, reference);
    }
  });
  await t.step("two interleaved subscriptions to one Subject give the same windows", () => {
    const subject = new Subject<Sample>();
    const shared = subject.pipe(fwd, op);
    const first: Win[] = [], second: Win[] = [];
    shared.subscribe((w) => first.push(copy(w)));
    shared.subscribe((w) => second.push(copy(w)));
    for (const s of samples) subject.next(s);
    subject.complete();
    assertEquals(first, reference);
    assertEquals(second, reference);
  });
});

Deno.test("tbptt() continues exactly from the history() of an earlier window", () => {
  const params = initParams(SIZES, { seed: 8 });
  const samples = tokenSamples(14);
  const whole = windowsOf(params, samples, 2, 5);
  let history: StepRecord[] = [];
  from(samples.slice(0, 6)).pipe(forwardSteps({ params }), tbptt({ params, k1: 2, k2: 5 })).subscribe((w) => {
    history = w.history();
  });
  assertEquals(history.map((r) => r.index), [1, 2, 3, 4, 5]);
  const rest: Win[] = [];
  from(samples.slice(6))
    .pipe(
      forwardSteps({ params, a0: history[history.length - 1].cache.a, startIndex: 6 }),
      tbptt({ params, k1: 2, k2: 5, history }),
    )
    .subscribe((w) => rest.push(copy(w)));
  assertEquals(rest, whole.slice(3));
});

function assertClose(got: Float64Array, want: Float64Array, what: string): void {
  let worst = 0;
  got.forEach((v, q) => worst = Math.max(worst, Math.abs(v - want[q]) / Math.max(1, Math.abs(want[q]))));
  assertLess(worst, 1e-12, what);
}

function sum(a: Win, b: Win): Win {
  const grads = {} as Win["grads"];
  for (const k of GRADS) grads[k] = a.grads[k].map((v, q) => v + b.grads[k][q]);
  return { t: a.t, loss: a.loss + b.loss, depth: a.depth, grads };
}

Deno.test("tbptt() passes no gradient across a reset: batch windows = sum of per-column single streams split at the reset", async (t) => {
  const params = initParams(SIZES, { seed: 9 });
  const T = 6;
  const xs = Array.from({ length: T }, (_, i) => [i % 3, (2 * i + 1) % 3]);
  const ys = Array.from({ length: T }, (_, i) => [(i + 1) % 3, (i * i) % 3]);
  const batch = (resetAt: number, col: number, k1: number, k2: number) =>
    windowsOf(
      params,
      xs.map((x, i) => ({ x, y: ys[i], reset: i === resetAt ? [col === 0, col === 1] : undefined })),
      k1,
      k2,
    );
  const single = (col: number, start: number, end: number, k1: number, k2: number) =>
    windowsOf(params, xs.slice(start, end).map((x, i) => ({ x: [x[col]], y: [ys[start + i][col]] })), k1, k2);
  const check = (got: Win[], want: Win[]) => {
    assertEquals(got.length, want.length);
    got.forEach((w, i) => {
      assertLess(Math.abs(w.loss - want[i].loss), 1e-12, `loss at t=${w.t}`);
      for (const k of GRADS) assertClose(w.grads[k], want[i].grads[k], `${k} at t=${w.t}`);
    });
  };
  await t.step("k1 = 2, k2 = 6, reset of column 1 at step 2", () => {
    const col0 = single(0, 0, T, 2, 6), before = single(1, 0, 2, 2, 6), after = single(1, 2, T, 2, 6);
    check(batch(2, 1, 2, 6), [sum(col0[0], before[0]), sum(col0[1], after[0]), sum(col0[2], after[1])]);
  });
  await t.step("k1 = k2 = 6, reset of column 0 at step 3", () => {
    const col1 = single(1, 0, T, 6, 6), before = single(0, 0, 3, 3, 3), after = single(0, 3, T, 3, 3);
    check(batch(3, 0, 6, 6), [sum(sum(col1[0], before[0]), after[0])]);
  });
  await t.step("without the reset the batch differs (the test can fail)", () => {
    const col1 = single(1, 0, T, 6, 6), before = single(0, 0, 3, 3, 3), after = single(0, 3, T, 3, 3);
    const want = sum(sum(col1[0], before[0]), after[0]);
    const got = batch(-1, 0, 6, 6)[0];
    assert(Math.abs(got.grads.dWaa[0] - want.grads.dWaa[0]) > 1e-6);
  });
  await t.step("a reset on step 0 is the same as the zero start", () => {
    assertEquals(batch(0, 0, 2, 6), batch(-1, 0, 2, 6));
    assertEquals(batch(0, 1, 2, 6), batch(-1, 0, 2, 6));
  });
});

Deno.test("tbptt() forwards a throwing cell to the stream's error, synchronously", async (t) => {
  const params = initParams(SIZES, { seed: 1 });
  const base = rnnCell();
  await t.step("tbptt(): cell.zeroGrads() throws when the first window opens", () => {
    const cell: typeof base = {
      ...base,
      zeroGrads: () => {
        throw new Error("zeroGrads boom");
      },
    };
    const out = collectSync<TbpttWindow>(
      from(cycleSamples(4)).pipe(forwardSteps({ params }), tbptt({ params, k1: 2, cell })),
    );
    assertEquals(out.values.length, 0);
    assertEquals((out.error as Error)?.message, "zeroGrads boom");
  });
});

Deno.test("tbptt() stops pulling a synchronous endless source after take(3) (RxJS: should stop listening to a synchronous observable when unsubscribed)", () => {
  const params = initParams(SIZES, { seed: 1 });
  const loop = loopSource((i) => tokenSamples(i + 1)[i]);
  const out = collectSync<TbpttWindow>(
    loop.source.pipe(forwardSteps({ params }), tbptt({ params, k1: 2, k2: 3 }), take(3)),
  );
  assertEquals(out.values.map((w) => w.t), [2, 4, 6]);
  assertEquals(loop.pulled(), 6);
  assertEquals(loop.finalized(), 1);
});

Deno.test("tbptt() releases a synchronous source at once when the cell's backward throws, emitting no window for it (RxJS: should raise error and unsubscribe)", () => {
  const params = initParams(SIZES, { seed: 1 });
  const base = rnnCell();
  let calls = 0;
  const cell: typeof base = {
    ...base,
    bind(backend) {
      const runtime = base.bind(backend);
      return {
        ...runtime,
        backward(...args) {
          if (++calls === 5) throw new Error("boom");
          runtime.backward(...args);
        },
      };
    },
  };
  const loop = loopSource((i) => tokenSamples(i + 1)[i]);
  const out = collectSync<TbpttWindow>(
    loop.source.pipe(forwardSteps({ params }), tbptt({ params, k1: 2, cell })),
  );
  // windows of 2 steps: backward calls 1–2 (window 1), 3–4 (window 2), 5 throws in window 3
  assertEquals((out.error as Error).message, "boom");
  assertEquals(out.values.map((w) => w.t), [2, 4]);
  assertEquals(loop.pulled(), 6);
  assertEquals(loop.finalized(), 1);
});

Deno.test("tbptt() drops a partial window at completion (documented)", async (t) => {
  const params = initParams(SIZES, { seed: 2 });
  await t.step("5 steps, k1 = 2: windows at 2 and 4, step 5 gets none, then it completes", () => {
    const out = collectSync<TbpttWindow>(
      from(tokenSamples(5)).pipe(forwardSteps({ params }), tbptt({ params, k1: 2, k2: 3 })),
    );
    assertEquals(out.values.map((w) => w.t), [2, 4]);
    assert(out.completed);
  });
  await t.step("labelDelay 2: a window waiting for its late labels at completion is dropped", () => {
    const out = collectSync<TbpttWindow>(
      from(tokenSamples(5)).pipe(forwardSteps({ params }), tbptt({ params, k1: 2, labelDelay: 2 })),
    );
    // the window ending at step 4 would close at step 6, which never comes
    assertEquals(out.values.map((w) => w.t), [2]);
    assert(out.completed);
  });
});

Deno.test("tbptt() starts over with an empty ring on retry and repeat (RxJS: should handle retry / repeat)", () => {
  const params = initParams(SIZES, { seed: 3 });
  const records = recordsOf(params, tokenSamples(6));
  const once: Win[] = [];
  from(records).pipe(tbptt({ params, k1: 2, k2: 4 })).subscribe((w) => once.push(copy(w)));
  let attempts = 0;
  const failing = defer(() =>
    attempts++ === 0 ? concat(from(records.slice(0, 3)), throwError(() => new Error("once"))) : from(records)
  );
  const retried: Win[] = [];
  failing.pipe(tbptt({ params, k1: 2, k2: 4 }), retry(1)).subscribe((w) => retried.push(copy(w)));
  assertEquals(retried, [once[0], ...once]);
  const repeated: Win[] = [];
  from(records).pipe(tbptt({ params, k1: 2, k2: 4 }), repeat(2)).subscribe((w) => repeated.push(copy(w)));
  assertEquals(repeated, [...once, ...once]);
});

Deno.test("tbptt() with share(): two consumers get the same windows from one replay (RxJS: share)", () => {
  const params = initParams(SIZES, { seed: 4 });
  const subject = new Subject<StepRecord>();
  const shared = subject.pipe(tbptt({ params, k1: 2 }), share());
  const a: TbpttWindow[] = [], b: TbpttWindow[] = [];
  shared.subscribe((w) => a.push(w));
  shared.subscribe((w) => b.push(w));
  recordsOf(params, tokenSamples(6)).forEach((r) => subject.next(r));
  assertEquals(a.length, 3);
  a.forEach((w, i) => assertStrictEquals(b[i], w));
});

Deno.test("tbptt() in a re-entrant Subject feedback loop gives the same windows (RxJS: re-entrant Subject)", () => {
  const params = initParams(SIZES, { seed: 5 });
  const samples = tokenSamples(8);
  const subject = new Subject<Sample>();
  const seen: Win[] = [];
  subject.pipe(forwardSteps({ params }), tbptt({ params, k1: 1, k2: 3 })).subscribe((w) => {
    seen.push(copy(w));
    // the consumer pushes the next sample while the window is being emitted
    if (w.t < samples.length) subject.next(samples[w.t]);
  });
  subject.next(samples[0]);
  assertEquals(seen, windowsOf(params, samples, 1, 3));
});

Deno.test("tbptt() never mutates the step records it receives", () => {
  const params = initParams(SIZES, { seed: 6 });
  const records = recordsOf(params, tokenSamples(7, 2));
  const before = records.map((r) => cloneRecord(r));
  const out = collectSync<TbpttWindow>(from(records).pipe(tbptt({ params, k1: 2, k2: 5 })));
  assertEquals(out.values.length, 3);
  assertBitEqual(records, before);
});
