/**
 * train({ workers: n }): a window's m columns split between the calling thread and n − 1
 * real Web Workers (no mocks). Small models, so the whole file stays quick; every test
 * checks that no worker is left running after the stream ends.
 */
import { assert, assertEquals, assertLessOrEqual, assertThrows } from "@std/assert";
import { concat, from, Subject, take, throwError } from "rxjs";
import { createJsBackend, initParams, Matrix, Random, registerBackend, train } from "../../mod.ts";
import type { ParamSet, Sample, TrainerSnapshot, TrainEvent, TrainOptions } from "../../mod.ts";
import { columnRanges } from "../../src/stream/_columns.ts";
import { liveWorkers, WorkerShards } from "../../src/stream/_worker_shards.ts";
import { assertBitEqual } from "../_bit_equal.ts";
import { pairCell } from "../_pair_cell.ts";
import { collectSync, loopSource } from "../_sync.ts";

const SIZES = { nx: 3, na: 5, ny: 3 };
const SGD = { type: "sgd", learningRate: 0.2 } as const;

/** m token streams: column j reads the cycle 0 → 1 → 2 shifted by j; `resets` lists (step, column) flags. */
function tokenSamples(n: number, m: number, resets: [number, number][] = []): Sample[] {
  return Array.from({ length: n }, (_, i) => {
    const flags = resets.filter(([step]) => step === i).map(([, col]) => col);
    return {
      x: Array.from({ length: m }, (_, j) => (i + j) % 3),
      y: Array.from({ length: m }, (_, j) => (i + j + 1) % 3),
      ...(flags.length > 0 ? { reset: Array.from({ length: m }, (_, j) => flags.includes(j)) } : {}),
    };
  });
}

/** Dense standard-normal inputs (nx×m) with token targets. */
function denseSamples(n: number, m: number, seed: number, resets: [number, number][] = []): Sample[] {
  const random = new Random(seed);
  return tokenSamples(n, m, resets).map((s) => {
    const x = new Matrix(SIZES.nx, m);
    for (let q = 0; q < x.data.length; q++) x.data[q] = random.normal();
    return { ...s, x };
  });
}

function copyParams(p: ParamSet): Record<string, Float64Array> {
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v.data.slice()]));
}

/** Everything deterministic about an event (not the clock), with the parameters copied. */
function summary(e: TrainEvent<ParamSet, unknown>) {
  return {
    step: e.step,
    window: e.window,
    loss: e.loss,
    smoothLoss: e.smoothLoss,
    gradNorm: e.gradNorm,
    learningRate: e.learningRate,
    accepted: e.accepted,
    counters: { ...e.counters },
    params: copyParams(e.params),
  };
}
type Summary = ReturnType<typeof summary>;

function runEvents(
  samples: readonly Sample[],
  options: TrainOptions<ParamSet, ParamSet, unknown>,
): Summary[] {
  const out: Summary[] = [];
  let failure: { error: unknown } | null = null;
  from(samples).pipe(train(options)).subscribe({
    next: (e) => out.push(summary(e)),
    error: (error) => failure = { error },
  });
  if (failure !== null) throw (failure as { error: unknown }).error;
  return out;
}

/** Largest |a − b| relative to the largest |b| of a parameter, over all parameters. */
function paramsRelDiff(a: Record<string, Float64Array>, b: Record<string, Float64Array>): number {
  let worst = 0;
  for (const key of Object.keys(b)) {
    const scale = Math.max(1e-300, ...b[key].map(Math.abs));
    a[key].forEach((v, q) => worst = Math.max(worst, Math.abs(v - b[key][q]) / scale));
  }
  return worst;
}

function assertClose(a: Summary[], b: Summary[], tol: number): void {
  assertEquals(a.length, b.length);
  a.forEach((e, i) => {
    const f = b[i];
    assertEquals([e.step, e.window, e.accepted, e.counters], [f.step, f.window, f.accepted, f.counters]);
    assertLessOrEqual(Math.abs(e.loss - f.loss), tol * Math.abs(f.loss), `loss of window ${e.window}`);
    assertLessOrEqual(Math.abs(e.gradNorm - f.gradNorm), tol * f.gradNorm, `gradNorm of window ${e.window}`);
    assertLessOrEqual(paramsRelDiff(e.params, f.params), tol, `params after window ${e.window}`);
  });
}

const CASES: [string, Sample[], TrainOptions<ParamSet, ParamSet, unknown>][] = [
  ["vanilla RNN, token inputs, k1 = k2 = 4, m = 4 (2 + 2)", tokenSamples(24, 4), {
    sizes: SIZES,
    k1: 4,
    optimizer: SGD,
    seed: 1,
  }],
  ["vanilla RNN on js, adam, sum reduction, m = 2 (1 + 1)", tokenSamples(18, 2, [[7, 1]]), {
    sizes: SIZES,
    k1: 3,
    k2: 5,
    optimizer: { type: "adam", learningRate: 0.01 },
    reduction: "sum",
    backend: "js",
    seed: 2,
  }],
  ["GRU, dense inputs, k1 = 3 < k2 = 7, resets, m = 4 (2 + 2)", denseSamples(27, 4, 3, [[5, 0], [11, 3]]), {
    sizes: SIZES,
    cell: "gru",
    k1: 3,
    k2: 7,
    optimizer: { type: "sgd", learningRate: 0.1, momentum: 0.9 },
    seed: 3,
  }],
  ["LSTM, m = 5 split 3 + 2, k1 = 2 < k2 = 5, resets in both shards", tokenSamples(20, 5, [[4, 1], [9, 4]]), {
    sizes: SIZES,
    cell: "lstm",
    k1: 2,
    k2: 5,
    optimizer: SGD,
    seed: 4,
  }],
  ["stacked GRU layers with an embedding, workers: 3 on m = 5 (2 + 2 + 1)", tokenSamples(16, 5, [[6, 2]]), {
    sizes: { nx: 3, ny: 3 },
    cell: "gru",
    layers: [4, 3],
    embed: 2,
    k1: 4,
    k2: 6,
    optimizer: SGD,
    seed: 5,
    workers: 3,
  }],
];

Deno.test("train({ workers }) gives workers: 1's results up to float rounding (1e-12)", async (t) => {
  for (const [name, samples, options] of CASES) {
    await t.step(name, () => {
      const one = runEvents(samples, { ...options, workers: 1 });
      const many = runEvents(samples, { workers: 2, ...options });
      assert(one.length >= 4);
      assertClose(many, one, 1e-12);
      assertEquals(liveWorkers(), 0);
    });
  }
  await t.step("wasm-f32 (float32 products): within float32 rounding, 1e-5", () => {
    const [, samples, options] = CASES[2];
    const one = runEvents(samples, { ...options, backend: "wasm-f32", workers: 1 });
    assertClose(runEvents(samples, { ...options, backend: "wasm-f32", workers: 2 }), one, 1e-5);
    assertEquals(liveWorkers(), 0);
  });
});

Deno.test("train({ workers: 2 }) is deterministic: two runs are bit for bit the same", () => {
  const [, samples, options] = CASES[2];
  const a = runEvents(samples, { ...options, workers: 2 });
  const b = runEvents(samples, { ...options, workers: 2 });
  assertBitEqual(a, b);
  assertEquals(liveWorkers(), 0);
});

function snapshotAt(
  samples: readonly Sample[],
  options: TrainOptions<ParamSet, ParamSet, unknown>,
  window: number,
): TrainerSnapshot<ParamSet, unknown> {
  let snapshot: TrainerSnapshot<ParamSet, unknown> | undefined;
  from(samples).pipe(train(options)).subscribe((e) => {
    if (e.window === window) snapshot = e.snapshot();
  });
  return snapshot!;
}

Deno.test("train({ workers: 2 }) snapshots hold all m columns and resume exactly", async (t) => {
  const [, samples, base] = CASES[3]; // LSTM, m = 5 (3 + 2), k1 = 2, k2 = 5, resets
  const k1 = base.k1!;
  await t.step(
    "at window 1, the state and step caches are workers: 1's bit for bit, the losses up to rounding",
    () => {
      const one = snapshotAt(samples, { ...base, workers: 1 }, 3);
      const two = snapshotAt(samples, { ...base, workers: 2 }, 3);
      // the forward pass is per column: before the first update, both saw the same parameters
      const first = (s: TrainerSnapshot<ParamSet, unknown>) => s.history.map((r) => ({ ...r, loss: 0 }));
      const atOne = snapshotAt(samples, { ...base, workers: 1 }, 1);
      const atTwo = snapshotAt(samples, { ...base, workers: 2 }, 1);
      assertBitEqual(atTwo.hidden, atOne.hidden);
      assertBitEqual(first(atTwo), first(atOne));
      atTwo.history.forEach((r, i) => assertLessOrEqual(Math.abs(r.loss - atOne.history[i].loss), 1e-14));
      // later, everything agrees up to rounding; the format is the same
      assertEquals(Object.keys(two).sort(), Object.keys(one).sort());
      assertEquals([two.hidden.rows, two.hidden.cols, two.history.length], [10, 5, 5]);
      assertEquals(two.counters, one.counters);
      assertLessOrEqual(paramsRelDiff(copyParams(two.params), copyParams(one.params)), 1e-12);
    },
  );
  await t.step("snapshot at window 4, resumed with workers: 2: bit for bit the uninterrupted run", () => {
    const whole = runEvents(samples, { ...base, workers: 2 });
    const snapshot = snapshotAt(samples, { ...base, workers: 2 }, 4);
    const rest = runEvents(samples.slice(4 * k1), { resume: snapshot, workers: 2 });
    assertBitEqual(rest, whole.slice(4));
    // and the resumed run's own snapshot equals the uninterrupted run's
    const later = snapshotAt(samples, { ...base, workers: 2 }, 7);
    const resumedLater = snapshotAt(samples.slice(4 * k1), { resume: snapshot, workers: 2 }, 7);
    assertBitEqual(resumedLater, later);
  });
  await t.step("a workers: 2 snapshot resumes on workers: 1, and a workers: 1 snapshot on workers: 2", () => {
    const whole = runEvents(samples, { ...base, workers: 1 });
    const fromTwo = snapshotAt(samples, { ...base, workers: 2 }, 4);
    const fromOne = snapshotAt(samples, { ...base, workers: 1 }, 4);
    assertClose(runEvents(samples.slice(4 * k1), { resume: fromTwo, workers: 1 }), whole.slice(4), 1e-12);
    assertClose(runEvents(samples.slice(4 * k1), { resume: fromOne, workers: 2 }), whole.slice(4), 1e-12);
  });
  await t.step("snapshot() throws once the stream has moved on", () => {
    const events: TrainEvent<ParamSet, unknown>[] = [];
    from(samples.slice(0, 3 * k1)).pipe(train({ ...base, workers: 2 })).subscribe((e) => events.push(e));
    assertEquals(events.length, 3);
    assertThrows(() => events[0].snapshot(), Error, "the stream has moved on");
    assertThrows(() => events[2].snapshot(), Error, "the stream has moved on");
  });
  assertEquals(liveWorkers(), 0);
});

Deno.test("train({ workers: 2 }) applies the invalid-sample policy on the calling thread, as workers: 1 does", async (t) => {
  const good = tokenSamples(16, 4);
  const bad: unknown[] = [null, { x: [0, 1, 7, 0], y: [1, 2, 0, 1] }, { x: [0, 1], y: [1, 2] }];
  const mixed = [
    ...good.slice(0, 3),
    bad[0],
    ...good.slice(3, 9),
    bad[1],
    bad[2],
    ...good.slice(9),
  ] as Sample[];
  const options = { sizes: SIZES, k1: 4, k2: 6, optimizer: SGD, seed: 6 };
  await t.step(
    '"skip": counted, reported at the same positions, and training is that of the valid samples',
    () => {
      const seen: [number, string][][] = [[], []];
      const runs = [1, 2].map((workers, r) =>
        runEvents(mixed, {
          ...options,
          workers,
          onInvalid: "skip",
          onSkip: (error, _sample, at) => seen[r].push([at, error.message]),
        })
      );
      assertEquals(seen[1], seen[0]);
      assertEquals(seen[1].map(([at]) => at), [3, 10, 11]);
      assertEquals(runs[1].at(-1)!.counters, { steps: 16, windows: 4, skipped: 3, rejected: 0 });
      const clean = runEvents(good, { ...options, workers: 2 });
      assertBitEqual(
        runs[1].map(({ counters: _, ...rest }) => rest),
        clean.map(({ counters: _, ...rest }) => rest),
      );
    },
  );
  await t.step('"error": the same error as workers: 1, naming the step', () => {
    const errors = [1, 2].map((workers) =>
      collectSync(from(mixed).pipe(train({ ...options, workers }))).error
    );
    assert(errors[1] instanceof TypeError, String(errors[1]));
    assertEquals((errors[1] as Error).message, (errors[0] as Error).message);
    assert((errors[1] as Error).message.startsWith("Invalid sample at step 3: "));
  });
  assertEquals(liveWorkers(), 0);
});

Deno.test("train({ workers: 2 }) keeps RxJS's contract and terminates its workers on every teardown", async (t) => {
  const options = { sizes: SIZES, k1: 4, k2: 6, optimizer: SGD, workers: 2 };
  await t.step(
    "a synchronous endless loop source with take(3): 3·k1 samples pulled, its finalizer ran",
    () => {
      const loop = loopSource((i) => tokenSamples(i + 1, 3)[i]);
      const out = collectSync(loop.source.pipe(train(options), take(3)));
      assertEquals(out.values.length, 3);
      assert(out.completed);
      assertEquals(loop.pulled(), 12);
      assertEquals(loop.finalized(), 1);
      assertEquals(liveWorkers(), 0);
    },
  );
  await t.step("from(endless generator) with take(2): 2·k1 samples pulled", () => {
    let pulled = 0;
    function* endless() {
      for (let i = 0;; i++) {
        pulled++;
        yield { x: [i % 3, (i + 1) % 3], y: [(i + 1) % 3, (i + 2) % 3] };
      }
    }
    const steps: number[] = [];
    from(endless()).pipe(train(options), take(2)).subscribe((e) => steps.push(e.step));
    assertEquals([steps, pulled], [[4, 8], 8]);
    assertEquals(liveWorkers(), 0);
  });
  await t.step("a source error is delivered as it is, after the windows before it", () => {
    const boom = new Error("source failed");
    const out = collectSync(concat(from(tokenSamples(10, 3)), throwError(() => boom)).pipe(train(options)));
    assertEquals(out.values.length, 2);
    assert(out.error === boom);
    assertEquals(liveWorkers(), 0);
  });
  await t.step("an early unsubscribe from an asynchronous source, and a completion", () => {
    const subject = new Subject<Sample>();
    const steps: number[] = [];
    const sub = subject.pipe(train(options)).subscribe((e) => steps.push(e.step));
    for (const s of tokenSamples(6, 2)) subject.next(s);
    assertEquals([steps, liveWorkers()], [[4], 1]);
    sub.unsubscribe();
    assertEquals(liveWorkers(), 0);
    const done = collectSync(from(tokenSamples(9, 2)).pipe(train(options)));
    assert(done.completed && done.values.length === 2);
    assertEquals(liveWorkers(), 0);
  });
  await t.step("a re-entrant Subject feedback loop trains as on the whole stream", () => {
    const samples = tokenSamples(9, 2);
    const subject = new Subject<Sample>();
    const out: Summary[] = [];
    subject.pipe(train({ ...options, k1: 1, k2: 3 })).subscribe((e) => {
      out.push(summary(e as TrainEvent<ParamSet, unknown>));
      // the consumer pushes the next sample while train() is still handling this one
      if (e.step < samples.length) subject.next(samples[e.step]);
      else subject.complete();
    });
    subject.next(samples[0]);
    assertBitEqual(out, runEvents(samples, { ...options, k1: 1, k2: 3 }));
    assertEquals(liveWorkers(), 0);
  });
  await t.step("samples are never changed", () => {
    const samples = denseSamples(8, 3, 7, [[2, 1]]);
    const before = structuredClone(samples.map((s) => ({ ...s, x: (s.x as Matrix).data })));
    collectSync(from(samples).pipe(train({ ...options, cell: "gru" })));
    assertEquals(samples.map((s) => ({ ...s, x: (s.x as Matrix).data })), before);
  });
});

Deno.test("train() checks 'workers' and what the workers must rebuild", async (t) => {
  await t.step("not an integer >= 1: a RangeError, not a number: a TypeError", () => {
    for (const bad of [0, -1, 1.5, NaN, Infinity]) {
      assertThrows(
        () => train({ sizes: SIZES, workers: bad }),
        RangeError,
        `Cannot create train() as 'workers' must be an integer >= 1: current value is ${bad}`,
      );
    }
    assertThrows(
      () => train({ sizes: SIZES, workers: "2" as unknown as number }),
      TypeError,
      "Cannot create train() as 'workers' must be an integer >= 1: got",
    );
    assertThrows(() => train({ sizes: SIZES, workers: 2, workerTimeout: 0 }), RangeError, "'workerTimeout'");
  });
  await t.step("more than the batch columns: at creation when a0 fixes m, else the stream's error", () => {
    assertThrows(
      () => train({ sizes: SIZES, a0: new Matrix(5, 2), workers: 3 }),
      RangeError,
      "Cannot create train() as 'workers' must be <= the batch columns m = 2: current value is 3",
    );
    const out = collectSync(from(tokenSamples(4, 2)).pipe(train({ sizes: SIZES, k1: 2, workers: 3 })));
    assert(out.error instanceof RangeError, String(out.error));
    assertEquals(
      (out.error as Error).message,
      "Cannot run train() as 'workers' must be <= the batch columns m = 2: current value is 3",
    );
    assertEquals(liveWorkers(), 0);
  });
  await t.step("a Backend object, or a backend registered only on this thread", () => {
    assertThrows(
      () => train({ sizes: SIZES, backend: createJsBackend(), workers: 2 }),
      TypeError,
      "'backend' must be a backend name (each worker creates its own)",
    );
    registerBackend("js-here-only", createJsBackend);
    assertThrows(
      () => train({ sizes: SIZES, backend: "js-here-only", workers: 2 }),
      RangeError,
      "'backend' must be a built-in backend (js, wasm-f64, wasm-f32): current value is js-here-only",
    );
  });
  await t.step("a cell that a worker cannot rebuild from its spec", () => {
    const cell = pairCell();
    assertThrows(
      () => train({ params: cell.init(SIZES), cell, workers: 2 }),
      RangeError,
      "'cell' must be a built-in cell that a worker rebuilds from its spec",
    );
  });
  await t.step("workers: 1 and left out are today's one-thread run, bit for bit", () => {
    const [, samples, options] = CASES[0];
    const { workers: _, ...rest } = options;
    assertBitEqual(runEvents(samples, { ...rest, workers: 1 }), runEvents(samples, rest));
  });
});

Deno.test("train({ workers }) reports a worker that fails or does not answer, naming it", async (t) => {
  await t.step("no answer within 'workerTimeout': the error names the worker and the read permission", () => {
    // a worker needs far more than 1 ms to load its module
    const out = collectSync(
      from(tokenSamples(8, 4)).pipe(train({ sizes: SIZES, k1: 4, workers: 2, workerTimeout: 1 })),
    );
    assert(out.error instanceof Error, String(out.error));
    const message = (out.error as Error).message;
    assert(
      message.startsWith("train() worker 1 of 1 (columns 2 to 3 of 4) did not answer within 1 ms"),
      message,
    );
    assert(message.includes("--allow-read") && message.includes("_shard_worker.ts"), message);
    assertEquals(liveWorkers(), 0);
  });
  await t.step("a throw inside a worker: its class and message, with the worker's name", () => {
    const params = initParams(SIZES);
    const cell = { kind: "rnn", head: "softmax" } as const;
    const shards = new WorkerShards({
      spec: cell,
      backend: "no-such-backend",
      k1: 2,
      k2: 2,
      startIndex: 0,
      nx: 3,
      ny: 3,
      params,
      slots: [],
      ranges: columnRanges(3, 2),
      a0s: [],
      histories: [],
      timeout: 30_000,
    });
    try {
      const error = assertThrows(() => shards.collect(1), RangeError);
      assert(
        error.message.startsWith(
          "train() worker 1 of 1 (columns 2 to 2 of 3) failed: Cannot create train() worker",
        ),
        error.message,
      );
      assert(error.message.includes("current value is no-such-backend"), error.message);
    } finally {
      shards.close();
    }
    assertEquals(liveWorkers(), 0);
  });
});

Deno.test({
  name:
    "train({ workers: 2 }) without read permission for the worker module errors at once, naming --allow-read",
  permissions: { read: false },
  fn() {
    const out = collectSync(from(tokenSamples(4, 2)).pipe(train({ sizes: SIZES, k1: 2, workers: 2 })));
    assert(out.error instanceof Error, String(out.error));
    const message = (out.error as Error).message;
    assert(message.includes("_shard_worker.ts must be allowed") && message.includes("--allow-read"), message);
    assertEquals(liveWorkers(), 0);
  },
});
