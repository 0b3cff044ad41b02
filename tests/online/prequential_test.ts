import { assert, assertEquals, assertStrictEquals, assertThrows } from "@std/assert";
import {
  catchError,
  EMPTY,
  from,
  lastValueFrom,
  map,
  Observable,
  of,
  repeat,
  retry,
  share,
  Subject,
  take,
  throwError,
  toArray,
} from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { rnnCell } from "../../src/cells/rnn/rnn_cell.ts";
import type { RecurrentCell } from "../../src/cells/recurrent_cell.ts";
import { cellForward, fromRows, initParams, Matrix, prequential, Random, train } from "../../mod.ts";
import { decodeValue, encodeValue } from "../../src/io/checkpoint/codec.ts";
import { collectSync, CYCLE_SIZES, cycleSamples } from "../_sync.ts";
import type { PrequentialEvent, PrequentialInput, PrequentialOptions, RnnParams, Sample } from "../../mod.ts";
import type { ParamSet } from "../../src/cells/types.ts";

/** Bit-for-bit equality of two float arrays (NaN and −0 included). */
function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function sameParams(a: ParamSet, b: ParamSet): boolean {
  return (["Wax", "Waa", "ba", "Wya", "by"] as const).every((k) => sameBits(a[k].data, b[k].data));
}

/** A noisy two-feature series: x_t, and its one-step-ahead target x_{t+1}. */
function series(n: number, seed = 5): Matrix[] {
  const rng = new Random(seed);
  return Array.from(
    { length: n + 1 },
    (_, t) => fromRows([[Math.sin(t / 5) + 0.1 * rng.normal()], [Math.cos(t / 7) + 0.1 * rng.normal()]]),
  );
}

/** Feature events with their targets on time. */
function onTime(xs: Matrix[]): PrequentialInput[] {
  return xs.slice(0, -1).map((x, t) => ({ x, y: xs[t + 1] }));
}

/** Feature events whose labels arrive `delay` steps late (just before step t + delay). */
function delayed(xs: Matrix[], delay: number, by: "index" | "id" = "index"): PrequentialInput[] {
  const n = xs.length - 1, out: PrequentialInput[] = [];
  for (let t = 0; t < n + delay; t++) {
    const s = t - delay;
    if (s >= 0) out.push(by === "index" ? { labelFor: s, y: xs[s + 1] } : { id: `e${s}`, y: xs[s + 1] });
    if (t < n) out.push(by === "index" ? { x: xs[t] } : { x: xs[t], id: `e${t}` });
  }
  return out;
}

/** A snapshot through the checkpoint codec (lossless JSON), as a checkpoint file keeps it. */
const roundTrip = <T>(value: T): T => decodeValue(JSON.parse(JSON.stringify(encodeValue(value)))) as T;

const run = (events: PrequentialInput[], options: PrequentialOptions): Promise<PrequentialEvent[]> =>
  lastValueFrom(from(events).pipe(prequential(options), toArray()), { defaultValue: [] });

const base = (over: Partial<PrequentialOptions> = {}): PrequentialOptions => ({
  params: initParams({ nx: 2, na: 6, ny: 2 }, { seed: 3 }),
  head: "linear",
  k1: 2,
  k2: 5,
  optimizer: { type: "sgd", learningRate: 0.05 },
  window: 20,
  ...over,
});

Deno.test("prequential() predicts with the parameters of earlier events only, then learns", async (t) => {
  const xs = series(60);
  await t.step("each prediction equals a forward step from the previous event's snapshot", async () => {
    const snaps: ReturnType<PrequentialEvent["snapshot"]>[] = [];
    const events: PrequentialEvent[] = [];
    await new Promise<void>((done) =>
      from(onTime(xs)).pipe(prequential(base())).subscribe({
        next: (e) => {
          events.push(e);
          snaps.push(e.snapshot());
        },
        complete: done,
      })
    );
    assertEquals(events.length, 60);
    for (let k = 1; k < events.length; k++) {
      const s = snaps[k - 1];
      const cache = cellForward(s.params as RnnParams, xs[k], s.hidden!, { head: "linear" });
      assert(sameBits(cache.yHat.data, events[k].prediction!.data), `step ${k}`);
    }
    // and the parameters did change along the way
    assert(!sameParams(snaps[0].params, snaps[59].params));
  });
  await t.step("with labels on time it learns exactly as train() does", async () => {
    const events = await run(onTime(xs), base());
    let last: RnnParams | undefined;
    await new Promise<void>((done) =>
      from(onTime(xs) as Sample[]).pipe(train({
        params: base().params as RnnParams,
        head: "linear",
        k1: 2,
        k2: 5,
        optimizer: { type: "sgd", learningRate: 0.05 },
      })).subscribe({ next: (e) => (last = e.params), complete: done })
    );
    assert(sameParams(events.at(-1)!.params, last!));
    assertEquals(events.at(-1)!.counters.updates, 30);
  });
  await t.step(
    "the metrics are MAE and RMSE of the predictions over the window and since start",
    async () => {
      const events = await run(onTime(xs), base());
      const errors = events.flatMap((e, k) =>
        Array.from(e.prediction!.data, (p, i) => p - xs[k + 1].data[i])
      );
      const mae = (es: number[]) => es.reduce((s, e) => s + Math.abs(e), 0) / es.length;
      const rmse = (es: number[]) => Math.sqrt(es.reduce((s, e) => s + e * e, 0) / es.length);
      const last = events.at(-1)!.metrics;
      assert(Math.abs(last.total.mae! - mae(errors)) < 1e-12);
      assert(Math.abs(last.total.rmse! - rmse(errors)) < 1e-12);
      assert(Math.abs(last.window.mae! - mae(errors.slice(-40))) < 1e-12);
      assertEquals(last.window.events, 20);
      assertEquals(last.total.count, 120);
      const e0 = events[0];
      assert(Math.abs(e0.loss! - 0.5 * errors.slice(0, 2).reduce((s, e) => s + e * e, 0)) < 1e-12);
    },
  );
});

Deno.test("prequential() learns from delayed labels exactly as from on-time ones with the same labelDelay", async (t) => {
  const xs = series(50);
  for (const d of [1, 3]) {
    await t.step(
      `labels ${d} steps late, labelDelay ${d}: same predictions, metrics and parameters bit for bit`,
      async () => {
        const a = (await run(onTime(xs), base({ labelDelay: d }))).filter((e) => e.kind === "step");
        const all = await run(delayed(xs, d), base({ labelDelay: d }));
        const b = all.filter((e) => e.kind === "step");
        assertEquals(b.length, 50);
        for (let k = 0; k < 50; k++) {
          assert(sameBits(a[k].prediction!.data, b[k].prediction!.data), `step ${k}`);
        }
        assert(sameParams(a.at(-1)!.params, all.at(-1)!.params));
        assertEquals(all.at(-1)!.metrics.total, a.at(-1)!.metrics.total);
        assertEquals(all.at(-1)!.counters.late, 0);
        assertEquals(all.filter((e) => e.kind === "label").length, 50);
      },
    );
  }
  await t.step("labels by id behave as labels by index", async () => {
    const a = await run(delayed(xs, 2, "index"), base({ labelDelay: 2 }));
    const b = await run(delayed(xs, 2, "id"), base({ labelDelay: 2 }));
    assert(sameParams(a.at(-1)!.params, b.at(-1)!.params));
    assertEquals(b.at(-1)!.metrics.total, a.at(-1)!.metrics.total);
  });
  await t.step(
    "at learning rate 0 a delay changes nothing: same predictions and scores as labels on time",
    async () => {
      const frozen = { optimizer: { type: "sgd" as const, learningRate: 0 } };
      const a = await run(onTime(xs), base(frozen));
      const b = await run(delayed(xs, 3), base({ ...frozen, labelDelay: 3 }));
      const bs = b.filter((e) => e.kind === "step");
      for (let k = 0; k < 50; k++) assert(sameBits(a[k].prediction!.data, bs[k].prediction!.data));
      assertEquals(b.at(-1)!.metrics.total, a.at(-1)!.metrics.total);
    },
  );
  await t.step("labels later than labelDelay are scored, counted late and not learned from", async () => {
    const late = await run(delayed(xs, 3), base({ labelDelay: 1 }));
    const none = await run(xs.slice(0, -1).map((x) => ({ x })), base({ labelDelay: 1 }));
    assert(sameParams(none.at(-1)!.params, base().params!));
    // the labels of steps 48 and 49 come while their window (steps 48–49) is still open: it closes at
    // completion and learns from them, as the arrival of step 50 would have closed it
    const onlyLast = await run([...delayed(xs, 3), { x: xs[50] }], base({ labelDelay: 1 }));
    assert(!sameParams(late.at(-1)!.params, base().params!));
    assert(sameParams(late.at(-1)!.params, onlyLast.at(-1)!.params));
    assertEquals(late.at(-1)!.counters.late, 48);
    assertEquals(late.at(-1)!.metrics.total.events, 50);
    assert(late.filter((e) => e.kind === "label").every((e) => e.late === e.index < 48 && e.loss! > 0));
  });
  await t.step(
    "a label for no waiting prediction is skipped; predictions beyond 'pending' expire",
    async () => {
      const events = [{ x: xs[0] }, { x: xs[1] }, { x: xs[2] }, { labelFor: 0, y: xs[1] }, {
        id: "nope",
        y: xs[1],
      }];
      const out = await run(events, base({ labelDelay: 1, pending: 2, onInvalid: "skip" }));
      assertEquals(out.map((e) => e.kind), ["step", "step", "step", "skip", "skip"]);
      assertEquals(out.at(-1)!.counters.expired, 1);
      assertEquals(out.at(-1)!.counters.skipped, 2);
      const err = await run(events.slice(0, 4), base({ labelDelay: 1, pending: 2 })).catch((e) => e);
      assert(err instanceof RangeError);
      assertEquals(err.message, "Invalid event 3: no prediction waits for a label for step 0");
    },
  );
});

Deno.test("prequential() resumes from a snapshot exactly, labels in flight included", async (t) => {
  const xs = series(40);
  const events = delayed(xs, 2);
  const full = await run(events, base({ labelDelay: 2, optimizer: { type: "adam", learningRate: 0.01 } }));
  for (const cut of [7, 30, 51]) {
    await t.step(`cut after event ${cut}`, async () => {
      let snap: ReturnType<PrequentialEvent["snapshot"]> | undefined;
      await new Promise<void>((done) =>
        from(events.slice(0, cut + 1)).pipe(
          prequential(base({ labelDelay: 2, optimizer: { type: "adam", learningRate: 0.01 } })),
        ).subscribe({ next: (e) => (snap = e.snapshot()), complete: done })
      );
      const rest = await run(events.slice(cut + 1), { resume: roundTrip(snap!) });
      assertEquals(rest.length, events.length - cut - 1);
      rest.forEach((e, k) => {
        const f = full[cut + 1 + k];
        assertEquals([e.kind, e.index, e.counters], [f.kind, f.index, f.counters]);
        assert(e.prediction === null || sameBits(e.prediction.data, f.prediction!.data));
        assertEquals(e.metrics, f.metrics);
      });
      assert(sameParams(rest.at(-1)!.params, full.at(-1)!.params));
    });
  }
});

Deno.test("prequential() scores tokens with log loss, accuracy and bits per symbol", async () => {
  const text = "abcabcabcabcabcabcabcabcabcabc".split("").map((c) => c.charCodeAt(0) - 97);
  const events = text.slice(0, -1).map((c, i) => ({ x: [c], y: [text[i + 1]] }));
  const out = await run(events, {
    sizes: { nx: 3, na: 8, ny: 3 },
    k1: 1,
    optimizer: { type: "adam", learningRate: 0.05 },
    window: 10,
  });
  const last = out.at(-1)!.metrics;
  assert(Math.abs(last.total.bitsPerSymbol! - last.total.logLoss! / Math.LN2) < 1e-15);
  assert(last.window.accuracy! > 0.5, `accuracy ${last.window.accuracy}`);
  assert(last.window.logLoss! < last.total.logLoss!);
  assert(Math.abs(out[0].loss! + Math.log(out[0].prediction!.data[events[0].y[0]])) < 1e-12);
});

Deno.test("prequential() handles invalid events, option errors and subscriptions", async (t) => {
  const xs = series(5);
  const bad: PrequentialInput[] = [
    { x: xs[0], y: xs[1] },
    { x: fromRows([[1], [2], [3]]), y: xs[2] },
    42 as unknown as PrequentialInput,
    { y: xs[1] },
    { x: xs[3], y: xs[4] },
  ];
  await t.step("skip: counted, reported, and one 'skip' event each", async () => {
    const seen: string[] = [];
    const out = await run(bad, base({ onInvalid: "skip", onSkip: (e) => seen.push(e.message) }));
    assertEquals(out.map((e) => e.kind), ["step", "skip", "skip", "skip", "step"]);
    assertEquals(out.at(-1)!.counters, {
      events: 5,
      steps: 2,
      scored: 2,
      late: 0,
      expired: 0,
      skipped: 3,
      updates: 1,
      rejected: 0,
    });
    assert(seen[0].startsWith("Invalid event 1: "), seen[0]);
    assert(seen[1].startsWith("Invalid event 2: an event must be an object"), seen[1]);
    assertEquals(seen[2], "Invalid event 3: an event needs 'x', or 'y' with 'labelFor' or 'id'");
  });
  await t.step("error: the first invalid event errors the stream, naming it", async () => {
    const err = await run(bad, base()).catch((e) => e);
    assert(err instanceof RangeError && err.message.startsWith("Invalid event 1: "), String(err));
  });
  await t.step("a throwing onSkip errors the stream", async () => {
    const err = await run(
      bad,
      base({
        onInvalid: "skip",
        onSkip: () => {
          throw new Error("boom");
        },
      }),
    ).catch((e) => e);
    assertEquals(err.message, "boom");
  });
  await t.step("options are checked at creation", () => {
    assertThrows(
      () => prequential(base({ k1: 0 })),
      RangeError,
      "'k1' must be an integer >= 1: current value is 0",
    );
    assertThrows(() => prequential(base({ k2: 1 })), RangeError, "'k2' must be an integer >= k1");
    assertThrows(() => prequential(base({ labelDelay: -1 })), RangeError, "'labelDelay'");
    assertThrows(() => prequential(base({ window: 0 })), RangeError, "'window'");
    assertThrows(() => prequential(base({ head: "tanh" as "linear" })), RangeError, "'head'");
    assertThrows(() => prequential({ k1: 1 }), TypeError, "one of 'params', 'sizes' or 'resume' is required");
  });
  await t.step("empty, error and early unsubscribe", async () => {
    assertEquals(await lastValueFrom(EMPTY.pipe(prequential(base()), toArray())), []);
    const err = await lastValueFrom(throwError(() => new Error("feed down")).pipe(prequential(base())))
      .catch((e) => e);
    assertEquals(err.message, "feed down");
    let torn = false;
    const source = new Observable<PrequentialInput>((s) => {
      s.next({ x: xs[0], y: xs[1] });
      return () => (torn = true);
    });
    const got: PrequentialEvent[] = [];
    source.pipe(prequential(base())).subscribe((e) => got.push(e)).unsubscribe();
    assertEquals([got.length, torn], [1, true]);
  });
  await t.step("two subscriptions do not share parameters or metrics", async () => {
    const op = prequential(base());
    const a = await lastValueFrom(from(onTime(series(20))).pipe(op, toArray()));
    const b = await lastValueFrom(from(onTime(series(20))).pipe(op, toArray()));
    assert(sameParams(a.at(-1)!.params, b.at(-1)!.params));
    assertStrictEquals(a.at(-1)!.metrics.total.mae, b.at(-1)!.metrics.total.mae);
  });
});

Deno.test("prequential() snapshots do not share the resumed optimizer state by reference", () => {
  const xs = cycleSamples(6).map((s) => ({ x: s.x, y: s.y }));
  const options = { sizes: CYCLE_SIZES, k1: 4 };
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

Deno.test("prequential() checks a resumed snapshot's config like its options", () => {
  let last: PrequentialEvent | undefined;
  from(cycleSamples(3)).pipe(prequential({ sizes: CYCLE_SIZES })).subscribe((e) => last = e);
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
  const events = collectSync<PrequentialEvent>(from(cycleSamples(2)).pipe(prequential({ resume: snap })));
  assertEquals(events.error, undefined);
  assertEquals(events.values.at(-1)!.snapshot().config, snap.config);
});

Deno.test("prequential(): the last event's snapshot, taken after the stream completed, still resumes exactly", () => {
  const xs = cycleSamples(12);
  // labels arrive two steps late: at any cut, predictions wait for labels and windows are open
  const events: PrequentialInput[] = [];
  xs.forEach((s, t) => {
    if (t >= 2) events.push({ labelFor: t - 2, y: xs[t - 2].y });
    events.push({ x: s.x });
  });
  const options = { sizes: CYCLE_SIZES, k1: 2, k2: 3, labelDelay: 2, optimizer: { type: "sgd" as const } };
  const full = collectSync<PrequentialEvent>(from(events).pipe(prequential(options))).values;
  const cut = 10;
  const head = collectSync<PrequentialEvent>(from(events.slice(0, cut)).pipe(prequential(options))).values;
  // the stream has completed (and been torn down) before the snapshot is taken
  const snap = head.at(-1)!.snapshot();
  assertEquals(snap.pending.length, 2);
  const rest =
    collectSync<PrequentialEvent>(from(events.slice(cut)).pipe(prequential({ resume: snap }))).values;
  assertEquals(
    rest.map((e) => [e.kind, e.index, e.loss]),
    full.slice(cut).map((e) => [e.kind, e.index, e.loss]),
  );
  assertEquals(rest.at(-1)!.counters, full.at(-1)!.counters);
  assertEquals(rest.at(-1)!.params, full.at(-1)!.params);
});

Deno.test("prequential() keeps RxJS's operator contract", async (t) => {
  const xs = series(30);
  const events = onTime(xs);
  const clone = (p: ParamSet) => Object.fromEntries(Object.entries(p).map(([k, m]) => [k, m.clone()]));
  await t.step("a synchronous loop source with take(3): three events pulled, no more", () => {
    let pulled = 0;
    const source = new Observable<PrequentialInput>((s) => {
      for (let i = 0; !s.closed; i++) {
        pulled++;
        s.next(events[i % events.length]);
      }
    });
    const got: PrequentialEvent[] = [];
    source.pipe(prequential(base()), take(3)).subscribe((e) => got.push(e));
    assertEquals([got.length, pulled], [3, 3]);
  });
  await t.step("from(an endless generator) with take(3) returns", () => {
    let pulled = 0;
    function* endless() {
      for (let i = 0;; i++) {
        pulled++;
        yield events[i % events.length];
      }
    }
    const kinds: string[] = [];
    from(endless()).pipe(prequential(base()), take(3)).subscribe((e) => kinds.push(e.kind));
    assertEquals([kinds, pulled], [["step", "step", "step"], 3]);
  });
  await t.step("marbles: empty, never, one and many values, error ('^ !' subscriptions)", () => {
    const scheduler = new TestScheduler((a, b) => assertEquals(a, b));
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const values = { a: events[0], b: events[1], c: events[2] };
      const kinds = { s: "step" };
      const cases: [string, string, string][] = [
        ["|", "|", "(^!)"],
        ["-", "-", "^"],
        ["-a|", "-s|", "^-!"],
        ["-a-b-c|", "-s-s-s|", "^-----!"],
        ["-a-b-#", "-s-s-#", "^----!"],
      ];
      for (const [input, output, subs] of cases) {
        const source = cold(input, values);
        expectObservable(source.pipe(prequential(base()), map((e) => e.kind))).toBe(output, kinds);
        expectSubscriptions(source.subscriptions).toBe(subs);
      }
      // early unsubscribe
      const source = cold("-a-b-c-|", values);
      expectObservable(source.pipe(prequential(base()), map((e) => e.kind)), "^--!").toBe("-s-", kinds);
      expectSubscriptions(source.subscriptions).toBe("^--!");
      // a throwing callback: the source is released at once
      const bad = cold("-a-b-c|", { ...values, b: 42 as unknown as PrequentialInput });
      const throwing = prequential(base({
        onInvalid: "skip",
        onSkip: () => {
          throw new Error("boom");
        },
      }));
      expectObservable(
        bad.pipe(throwing, map((e) => e.kind), catchError((e) => of((e as Error).message))),
      ).toBe("-s-(b|)", { ...kinds, b: "boom" });
      expectSubscriptions(bad.subscriptions).toBe("^--!");
    });
  });
  await t.step("a throwing cell errors the stream, releases the source and changes no state after", () => {
    const rnn = rnnCell({ head: "linear" });
    let forwards = 0;
    const broken: RecurrentCell = {
      ...(rnn as unknown as RecurrentCell),
      bind(backend) {
        const runtime = (rnn as unknown as RecurrentCell).bind(backend);
        return {
          ...runtime,
          forward(...args) {
            if (forwards++ === 2) throw new Error("cell broke");
            runtime.forward(...args);
          },
        };
      },
    };
    let pulled = 0;
    const source = new Observable<PrequentialInput>((s) => {
      for (let i = 0; !s.closed; i++) {
        pulled++;
        s.next(events[i]);
      }
    });
    const got: PrequentialEvent[] = [];
    let kept: ParamSet | null = null;
    let error: unknown = null;
    source.pipe(prequential(base({ cell: broken, k1: 1, k2: 1 }))).subscribe({
      next: (e) => {
        got.push(e);
        kept = clone(e.params);
      },
      error: (e) => (error = e),
    });
    assertEquals([(error as Error).message, pulled, got.length], ["cell broke", 3, 2]);
    assert(sameParams(kept!, got[1].params), "no parameter write after the error");
  });
  await t.step("the events it receives are not mutated", async () => {
    const input = delayed(xs, 2);
    const before = input.map((
      e,
    ) => [(e.x as Matrix | undefined)?.clone(), (e.y as Matrix | undefined)?.clone()]);
    await run(input, base({ labelDelay: 2 }));
    input.forEach((e, i) => {
      assert(e.x === undefined || sameBits((e.x as Matrix).data, before[i][0]!.data), `event ${i}: x`);
      assert(e.y === undefined || sameBits((e.y as Matrix).data, before[i][1]!.data), `event ${i}: y`);
    });
  });
  await t.step("retry and repeat start each subscription afresh", async () => {
    const fresh = await run(events, base());
    let failures = 0;
    const flaky = new Observable<PrequentialInput>((s) => {
      s.next(events[0]);
      s.next(events[1]);
      if (failures++ === 0) s.error(new Error("flaky"));
      else {
        events.slice(2).forEach((e) => s.next(e));
        s.complete();
      }
    });
    const retried = await lastValueFrom(flaky.pipe(prequential(base()), retry(1), toArray()));
    assertEquals(retried.slice(2).map((e) => e.counters), fresh.map((e) => e.counters));
    assert(sameParams(retried.at(-1)!.params, fresh.at(-1)!.params));
    const twice = await lastValueFrom(from(events).pipe(prequential(base()), repeat(2), toArray()));
    assertEquals(twice.slice(events.length).map((e) => e.counters), fresh.map((e) => e.counters));
  });
  await t.step("share: one learner for every subscriber", () => {
    const subject = new Subject<PrequentialInput>();
    const shared = subject.pipe(prequential(base()), share());
    const a: PrequentialEvent[] = [], b: PrequentialEvent[] = [];
    shared.subscribe((e) => a.push(e));
    shared.subscribe((e) => b.push(e));
    events.slice(0, 4).forEach((e) => subject.next(e));
    assertEquals(a.map((e) => e.counters.events), [1, 2, 3, 4]);
    assert(a.every((e, i) => e === b[i]));
  });
  await t.step("a re-entrant Subject: an event pushed from a subscriber is learned in order", async () => {
    const subject = new Subject<PrequentialInput>();
    const seen: number[] = [];
    let last: PrequentialEvent | undefined;
    subject.pipe(prequential(base())).subscribe((e) => {
      seen.push(e.index);
      last = e;
      if (e.index === 0) subject.next(events[1]);
    });
    subject.next(events[0]);
    subject.next(events[2]);
    assertEquals(seen, [0, 1, 2]);
    const straight = await run(events.slice(0, 3), base());
    assert(sameParams(last!.params, straight.at(-1)!.params));
  });
});
