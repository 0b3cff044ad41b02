/** Regressions found in review: the training stages, prequential snapshots and backpressure. */
import { assert, assertEquals, assertThrows } from "@std/assert";
import { from, Subject } from "rxjs";
import type { SchedulerAction, SchedulerLike } from "rxjs";
import {
  applyUpdates,
  backpressure,
  forwardSteps,
  immediateScheduler,
  initParams,
  prequential,
  rnnCell,
  tbptt,
  train,
} from "../../mod.ts";
import type {
  PrequentialEvent,
  PrequentialInput,
  TbpttWindow,
  TrainerSnapshot,
  UpdateRecord,
} from "../../mod.ts";

const SIZES = { nx: 3, na: 4, ny: 3 };

function tokenSamples(n: number): { x: number[]; y: number[] }[] {
  return Array.from({ length: n }, (_, t) => ({ x: [t % 3], y: [(t + 1) % 3] }));
}

/** Subscribes and collects values and the error (the stream must end synchronously). */
function collect<T>(source: { subscribe: (o: object) => unknown }): { values: T[]; error: unknown } {
  const out: { values: T[]; error: unknown } = { values: [], error: undefined };
  source.subscribe({ next: (v: T) => out.values.push(v), error: (e: unknown) => out.error = e });
  return out;
}

Deno.test("applyUpdates() refuses an optimizer state whose buffers do not fit the parameters", async (t) => {
  const samples = tokenSamples(8);
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
    const events = collect(from(samples).pipe(train({ resume: small })));
    assertEquals(events.error, undefined);
    assertEquals(events.values.length, 2);
  });
});

Deno.test("applyUpdates() and tbptt() forward a throwing cell to the stream's error, synchronously", async (t) => {
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
    const out = collect<UpdateRecord>(
      from(tokenSamples(4)).pipe(
        forwardSteps({ params }),
        tbptt({ params, k1: 2 }),
        applyUpdates({ params, cell }),
      ),
    );
    assertEquals(out.values.length, 1);
    assertEquals((out.error as Error)?.message, "slots boom");
  });
  await t.step("tbptt(): cell.zeroGrads() throws when the first window opens", () => {
    const cell: typeof base = {
      ...base,
      zeroGrads: () => {
        throw new Error("zeroGrads boom");
      },
    };
    const out = collect<TbpttWindow>(
      from(tokenSamples(4)).pipe(forwardSteps({ params }), tbptt({ params, k1: 2, cell })),
    );
    assertEquals(out.values.length, 0);
    assertEquals((out.error as Error)?.message, "zeroGrads boom");
  });
});

Deno.test("prequential() snapshots do not share the resumed optimizer state by reference", () => {
  const xs = tokenSamples(6).map((s) => ({ x: s.x, y: s.y }));
  const options = { sizes: SIZES, k1: 4 };
  let first: PrequentialEvent | undefined;
  from(xs.slice(0, 4)).pipe(prequential(options)).subscribe((e) => first = e);
  const resume = first!.snapshot();
  const before = resume.optimizer.slots["Wax.m"].slice();
  // two events after the resume: no window closes, so no update yet
  let last: PrequentialEvent | undefined;
  from(xs.slice(4, 6)).pipe(prequential({ resume })).subscribe((e) => last = e);
  const later = last!.snapshot();
  assert(later.optimizer !== resume.optimizer, "the snapshot returned the resume's optimizer state object");
  later.optimizer.slots["Wax.m"].fill(42);
  assertEquals(resume.optimizer.slots["Wax.m"], before);
});

Deno.test("backpressure() keeps one delivery task scheduled when the consumer makes the source emit", async () => {
  let scheduled = 0;
  const scheduler: SchedulerLike = {
    now: () => Date.now(),
    schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T) {
      scheduled++;
      return immediateScheduler.schedule(work, delay, state);
    },
  };
  const source = new Subject<number>();
  const values: number[] = [];
  const done = new Promise<void>((resolve) => {
    // each delivery makes the source emit the next value (a feedback loop), 20 values in all
    source.pipe(backpressure({ capacity: 4, sliceSize: 1, scheduler })).subscribe({
      next: (e) => {
        values.push(e.value);
        if (e.value < 19) source.next(e.value + 1);
        else source.complete();
      },
      complete: resolve,
    });
  });
  source.next(0);
  await done;
  assertEquals(values, Array.from({ length: 20 }, (_, k) => k));
  // one task per delivery and one to complete; a second task per delivery doubled this
  assert(scheduled <= 21, `scheduled ${scheduled} delivery tasks for 20 events`);
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
  from(tokenSamples(4)).pipe(train({ sizes: SIZES, k1: 2 })).subscribe((e) => snap = e.snapshot());
  const counters = { ...snap!.counters, rejected: snap!.counters.windows + 1 };
  assertThrows(
    () => train({ resume: { ...snap!, counters } }),
    RangeError,
    "'start.updates' must be an integer >= 0",
  );
});

Deno.test("prequential() checks a resumed snapshot's config like its options", () => {
  let last: PrequentialEvent | undefined;
  from(tokenSamples(3)).pipe(prequential({ sizes: SIZES })).subscribe((e) => last = e);
  const snap = last!.snapshot();
  // pending NaN never expired a prediction: memory grew without bound
  assertThrows(
    () => prequential({ resume: { ...snap, config: { ...snap.config, pending: NaN } } }),
    RangeError,
    "Cannot create prequential() as 'pending' must be an integer >= 1: current value is NaN",
  );
  assertThrows(
    () => prequential({ resume: { ...snap, config: { ...snap.config, reduction: "avg" as "mean" } } }),
    RangeError,
    '\'reduction\' must be "sum" or "mean"',
  );
  // a valid snapshot's config comes back equal
  const events = collect<PrequentialEvent>(from(tokenSamples(2)).pipe(prequential({ resume: snap })));
  assertEquals(events.error, undefined);
  assertEquals(events.values.at(-1)!.snapshot().config, snap.config);
});

Deno.test("prequential(): the last event's snapshot, taken after the stream completed, still resumes exactly", () => {
  const xs = tokenSamples(12);
  // labels arrive two steps late: at any cut, predictions wait for labels and windows are open
  const events: PrequentialInput[] = [];
  xs.forEach((s, t) => {
    if (t >= 2) events.push({ labelFor: t - 2, y: xs[t - 2].y });
    events.push({ x: s.x });
  });
  const options = { sizes: SIZES, k1: 2, k2: 3, labelDelay: 2, optimizer: { type: "sgd" as const } };
  const full = collect<PrequentialEvent>(from(events).pipe(prequential(options))).values;
  const cut = 10;
  const head = collect<PrequentialEvent>(from(events.slice(0, cut)).pipe(prequential(options))).values;
  // the stream has completed (and been torn down) before the snapshot is taken
  const snap = head.at(-1)!.snapshot();
  assertEquals(snap.pending.length, 2);
  const rest = collect<PrequentialEvent>(from(events.slice(cut)).pipe(prequential({ resume: snap }))).values;
  assertEquals(
    rest.map((e) => [e.kind, e.index, e.loss]),
    full.slice(cut).map((e) => [e.kind, e.index, e.loss]),
  );
  assertEquals(rest.at(-1)!.counters, full.at(-1)!.counters);
  assertEquals(rest.at(-1)!.params, full.at(-1)!.params);
});

Deno.test("train() refuses a snapshot whose smoothed loss is not finite (it stayed NaN for the rest of the run)", () => {
  let snap: TrainerSnapshot | undefined;
  from(tokenSamples(4)).pipe(train({ sizes: SIZES, k1: 2 })).subscribe((e) => snap = e.snapshot());
  assertThrows(
    () => train({ resume: { ...snap!, smoothLoss: NaN } }),
    RangeError,
    "Cannot resume train() as the snapshot's 'smoothLoss' must be null or finite: current value is NaN",
  );
  const events = collect<{ smoothLoss: number }>(
    from(tokenSamples(4)).pipe(train({ resume: { ...snap!, smoothLoss: null } })),
  );
  assert(events.values.every((e) => Number.isFinite(e.smoothLoss)));
});

Deno.test("applyUpdates(): a record's optimizerState() throws once a later update has stepped the optimizer", () => {
  const params = initParams(SIZES, { seed: 1 });
  const records = collect<UpdateRecord>(
    from(tokenSamples(6)).pipe(forwardSteps({ params }), tbptt({ params, k1: 2 }), applyUpdates({ params })),
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
    return collect<UpdateRecord>(
      from(tokenSamples(4)).pipe(forwardSteps({ params }), tbptt({ params, k1: 2 }), op),
    );
  };
  const reference = run(false), mutated = run(true);
  assertEquals(mutated.error, undefined);
  assertEquals(mutated.values.map((u) => u.gradNorm), reference.values.map((u) => u.gradNorm));
});
