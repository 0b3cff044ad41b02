import { assert, assertEquals, assertLessOrEqual, assertStrictEquals, assertThrows } from "@std/assert";
import {
  asyncScheduler,
  from,
  lastValueFrom,
  Observable,
  queueScheduler,
  repeat,
  retry,
  share,
  Subject,
  take,
  tap,
  toArray,
} from "rxjs";
import type { SchedulerAction, SchedulerLike } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { backpressure, fromFile, fromReadable, immediateScheduler, PauseController } from "../../mod.ts";
import type { Backpressured, BackpressureOptions } from "../../mod.ts";

const plain = (frames: unknown): unknown =>
  JSON.parse(JSON.stringify(frames, (_k, v) => v instanceof Error ? `${v.name}: ${v.message}` : v));
const marbles = () => new TestScheduler((actual, expected) => assertEquals(plain(actual), plain(expected)));

/** Expected annotation of a delivered event. */
const ev = <T>(value: T, received: number, delivered: number, dropped: number, lag: number, peak: number) =>
  ({
    value,
    received,
    delivered,
    dropped,
    lag,
    peak,
  }) satisfies Backpressured<T>;

/** Checks the counters of every delivered event and returns the last one. */
function checkCounters<T>(events: Backpressured<T>[], capacity: number): Backpressured<T> {
  for (const e of events) {
    assertEquals(e.received, e.delivered + e.dropped + e.lag);
    assertLessOrEqual(e.peak, capacity);
    assertLessOrEqual(e.lag, capacity - 1);
  }
  return events[events.length - 1];
}

/** A busy consumer: a little synchronous work per event. */
function work(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.sqrt(i);
  return s;
}

Deno.test("backpressure() queues events between a source and a consumer under each policy", async (t) => {
  // marble tests run on virtual time: they use rxjs's asyncScheduler (TestScheduler virtualises it), not the default setImmediate one
  await t.step("marbles: empty, never, one, many, error, early unsubscribe", () => {
    marbles().run(({ cold, expectObservable }) => {
      const op = () => backpressure<string>({ scheduler: asyncScheduler, capacity: 4 });
      expectObservable(cold("|").pipe(op())).toBe("|");
      expectObservable(cold("-").pipe(op())).toBe("-");
      expectObservable(cold("a|").pipe(op())).toBe("a|", { a: ev("a", 1, 1, 0, 0, 1) });
      expectObservable(cold("a-b-c|").pipe(op())).toBe("a-b-c|", {
        a: ev("a", 1, 1, 0, 0, 1),
        b: ev("b", 2, 2, 0, 0, 1),
        c: ev("c", 3, 3, 0, 0, 1),
      });
      const boom = new Error("boom");
      expectObservable(cold("a-#", undefined, boom).pipe(op())).toBe(
        "a-#",
        { a: ev("a", 1, 1, 0, 0, 1) },
        boom,
      );
      expectObservable(cold("(ab#)", undefined, boom).pipe(op())).toBe(
        "(ab#)",
        { a: ev("a", 2, 1, 0, 1, 2), b: ev("b", 2, 2, 0, 0, 2) },
        boom,
      );
      expectObservable(cold("a-b-c|").pipe(op()), "^--!").toBe("a-b", {
        a: ev("a", 1, 1, 0, 0, 1),
        b: ev("b", 2, 2, 0, 0, 1),
      });
    });
  });
  await t.step("marbles: a burst into a full queue under drop-oldest, drop-newest and sample", () => {
    marbles().run(({ cold, expectObservable }) => {
      const burst = () => cold("(abcde)|");
      expectObservable(burst().pipe(backpressure({ scheduler: asyncScheduler, capacity: 2 }))).toBe(
        "(de)---|",
        {
          d: ev("d", 5, 1, 3, 1, 2),
          e: ev("e", 5, 2, 3, 0, 2),
        },
      );
      expectObservable(
        burst().pipe(backpressure({ scheduler: asyncScheduler, capacity: 2, policy: "drop-newest" })),
      ).toBe("(ab)---|", {
        a: ev("a", 5, 1, 3, 1, 2),
        b: ev("b", 5, 2, 3, 0, 2),
      });
      // Full after "a": of b, c, d, e one in two is kept (c, then e), each evicting the oldest.
      expectObservable(
        burst().pipe(
          backpressure({ scheduler: asyncScheduler, capacity: 1, policy: "sample", sampleEvery: 2 }),
        ),
      ).toBe(
        "e------|",
        { e: ev("e", 5, 1, 4, 0, 1) },
      );
    });
  });
  await t.step("marbles: sliceSize delivers a burst over several tasks of a scheduler", () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold("(abc)|").pipe(backpressure({ scheduler: asyncScheduler, sliceSize: 1 }))).toBe(
        "(abc)|",
        {
          a: ev("a", 3, 1, 0, 2, 3),
          b: ev("b", 3, 2, 0, 1, 3),
          c: ev("c", 3, 3, 0, 0, 3),
        },
      );
    });
  });
  await t.step("marbles: the pause policy pauses the source when full and resumes it at resumeAt", () => {
    const pause = new PauseController();
    const states: boolean[] = [];
    marbles().run(({ cold, expectObservable }) => {
      // This source ignores the pause, so "c" arrives while full and is dropped.
      const src = cold("(abc)|").pipe(tap(() => states.push(pause.paused)));
      expectObservable(
        src.pipe(
          backpressure({ scheduler: asyncScheduler, capacity: 2, policy: "pause", pause, resumeAt: 1 }),
        ),
      ).toBe(
        "(ab)-|",
        { a: ev("a", 3, 1, 1, 1, 2), b: ev("b", 3, 2, 1, 0, 2) },
      );
    });
    assertEquals(states, [false, false, true]);
    assertEquals([pause.paused, pause.pauses], [false, 1]);
  });
  await t.step("invalid options throw when the operator is created", () => {
    const bad = (o: BackpressureOptions, msg: string) => assertThrows(() => backpressure(o), RangeError, msg);
    bad({ capacity: 0 }, "'capacity' must be an integer >= 1: current value is 0");
    bad({ sampleEvery: 1.5 }, "'sampleEvery' must be an integer >= 1");
    bad({ sliceSize: 0 }, "'sliceSize' must be an integer >= 1");
    bad({ policy: "drop-all" as never }, "'policy' must be");
    bad({ policy: "pause" }, "needs a 'pause' controller");
    bad(
      { policy: "pause", pause: new PauseController(), capacity: 4, resumeAt: 4 },
      "'resumeAt' must be an integer",
    );
  });
});

Deno.test("backpressure() keeps memory bounded when the feed is 10x faster than the consumer", async (t) => {
  const N = 5000, capacity = 32;
  // The producer pushes 100 events per macrotask; the consumer takes 10 per macrotask.
  // Real event loop on purpose (setTimeout(0) is a macrotask hop, not a wait): this checks the bound
  // under real interleaving with the default setImmediate scheduler; the slices and the drain are
  // checked on virtual time by the marble tests above.
  const producer = () =>
    new Observable<Float64Array>((subscriber) => {
      let i = 0, timer: ReturnType<typeof setTimeout> | undefined;
      const tick = () => {
        for (let k = 0; k < 100 && i < N; k++, i++) subscriber.next(new Float64Array(1024).fill(i));
        if (i < N) timer = setTimeout(tick, 0);
        else subscriber.complete();
      };
      timer = setTimeout(tick, 0);
      return () => clearTimeout(timer);
    });
  for (const policy of ["drop-oldest", "drop-newest", "sample"] as const) {
    await t.step(
      `${policy}: the queue never exceeds capacity and received = delivered + dropped`,
      async () => {
        const events = await lastValueFrom(
          producer().pipe(
            backpressure<Float64Array>({ capacity, policy, sampleEvery: 4, sliceSize: 10 }),
            tap((e) => work(200 + e.value[0] % 7)),
            toArray(),
          ),
        );
        const last = checkCounters(events, capacity);
        assertEquals([last.received, last.delivered + last.dropped, last.lag], [N, N, 0]);
        assertEquals(last.delivered, events.length);
        assert(last.dropped > N / 2, `dropped ${last.dropped} of ${N}`);
        const values = events.map((e) => e.value[0]);
        assert(values.every((v, k) => k === 0 || v > values[k - 1]), "delivered in order");
      },
    );
  }
});

Deno.test("backpressure() with the pause policy stops reading a pausable source and drops nothing", async (t) => {
  await t.step("a ReadableStream source is not pulled while the queue is full", async () => {
    const lines = 2000, perPull = 100, capacity = 50;
    let pulls = 0, maxAhead = 0, delivered = 0;
    const stream = new ReadableStream<string>({
      pull(controller) {
        if (pulls * perPull >= lines) return controller.close();
        const from = pulls++ * perPull;
        controller.enqueue(Array.from({ length: perPull }, (_, k) => `${from + k}\n`).join(""));
        maxAhead = Math.max(maxAhead, pulls * perPull - delivered);
      },
    }, { highWaterMark: 0 });
    const pause = new PauseController();
    const events = await lastValueFrom(
      fromReadable(stream, { pause }).pipe(
        backpressure<string>({ capacity, policy: "pause", pause, sliceSize: 10 }),
        tap(() => delivered++),
        tap(() => work(300)),
        toArray(),
      ),
    );
    const last = checkCounters(events, capacity);
    assertEquals([last.received, last.delivered, last.dropped], [lines, lines, 0]);
    assertEquals(events.map((e) => Number(e.value)), Array.from({ length: lines }, (_, k) => k));
    assert(pause.pauses > 10, `paused ${pause.pauses} times`);
    // Read-ahead is bounded by the queue plus one chunk, not by the stream's length.
    assertLessOrEqual(maxAhead, capacity + 2 * perPull);
  });
  await t.step("a file source is not read while the queue is full", async () => {
    await Deno.mkdir(".tmp", { recursive: true });
    const path = await Deno.makeTempFile({ dir: ".tmp", suffix: ".tmp" });
    try {
      const lines = 3000;
      await Deno.writeTextFile(path, Array.from({ length: lines }, (_, k) => `${k},${k * 2}\n`).join(""));
      const pause = new PauseController();
      const events = await lastValueFrom(
        fromFile(path, { pause, chunkSize: 4096 }).pipe(
          backpressure({ capacity: 64, policy: "pause", pause, sliceSize: 16 }),
          tap(() => work(200)),
          toArray(),
        ),
      );
      const last = checkCounters(events, 64);
      assertEquals([last.received, last.delivered, last.dropped], [lines, lines, 0]);
      assert(pause.pauses > 10, `paused ${pause.pauses} times`);
    } finally {
      await Deno.remove(path);
    }
  });
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

/** A synchronous loop source (capped, so a regression fails rather than hangs), counting its values. */
function syncLoop(): { source: Observable<number>; pulled(): number } {
  let pulled = 0;
  const source = new Observable<number>((s) => {
    for (let i = 0; !s.closed && i < 100_000; i++) {
      pulled++;
      s.next(i);
    }
    s.complete();
  });
  return { source, pulled: () => pulled };
}

Deno.test("backpressure() stops pulling a synchronous endless source after take(3) with a synchronous scheduler (RxJS: should stop listening to a synchronous observable when unsubscribed)", async (t) => {
  await t.step("a synchronous loop source", () => {
    const { source, pulled } = syncLoop();
    const seen: number[] = [];
    source.pipe(backpressure({ scheduler: queueScheduler }), take(3)).subscribe((e) => seen.push(e.value));
    assertEquals([seen, pulled()], [[0, 1, 2], 3]);
  });
  await t.step("from(generator)", () => {
    let pulled = 0;
    function* naturals() {
      for (let i = 0; i < 100_000; i++) {
        pulled++;
        yield i;
      }
    }
    const seen: number[] = [];
    from(naturals()).pipe(backpressure({ scheduler: queueScheduler }), take(3)).subscribe((e) =>
      seen.push(e.value)
    );
    assertEquals([seen, pulled], [[0, 1, 2], 3]);
  });
});

Deno.test("backpressure() releases the source at once when it errors, and when the consumer throws (RxJS: should raise error if source raises error, '^ !')", async (t) => {
  await t.step("marbles: the source is unsubscribed at its error; the error follows the queue", () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const boom = new Error("boom");
      const src = cold("(ab#)", undefined, boom);
      expectObservable(src.pipe(backpressure<string>({ scheduler: asyncScheduler }))).toBe(
        "(ab#)",
        { a: ev("a", 2, 1, 0, 1, 2), b: ev("b", 2, 2, 0, 0, 2) },
        boom,
      );
      expectSubscriptions(src.subscriptions).toBe("(^!)");
      const late = cold("a-#", undefined, boom);
      expectObservable(late.pipe(backpressure<string>({ scheduler: asyncScheduler }))).toBe(
        "a-#",
        { a: ev("a", 1, 1, 0, 0, 1) },
        boom,
      );
      expectSubscriptions(late.subscriptions).toBe("^-!");
    });
  });
  await t.step("a consumer that throws (a user callback) stops a synchronous source", () => {
    const { source, pulled } = syncLoop();
    let error: unknown;
    source.pipe(
      backpressure({ scheduler: queueScheduler }),
      tap((e) => {
        if (e.value === 2) throw new RangeError("consumer failed");
      }),
    ).subscribe({ error: (e) => error = e });
    assertEquals([String(error), pulled()], ["RangeError: consumer failed", 3]);
  });
});

Deno.test("backpressure() releases the source and clears the queue when unsubscribed early (RxJS: should allow unsubscribing explicitly and early)", () => {
  marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
    const src = cold("a-b-c-|");
    expectObservable(src.pipe(backpressure<string>({ scheduler: asyncScheduler })), "^--!").toBe("a-b", {
      a: ev("a", 1, 1, 0, 0, 1),
      b: ev("b", 2, 2, 0, 0, 1),
    });
    expectSubscriptions(src.subscriptions).toBe("^--!");
  });
});

Deno.test("backpressure() keeps its queue and counters per subscription under retry, repeat and share (RxJS: should work with retry, repeat and share)", async (t) => {
  await t.step("repeat(2) and retry(1) count afresh", () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const op = () => backpressure<string>({ scheduler: asyncScheduler });
      const once = cold("a|");
      expectObservable(once.pipe(op(), repeat(2))).toBe("ab|", {
        a: ev("a", 1, 1, 0, 0, 1),
        b: ev("a", 1, 1, 0, 0, 1),
      });
      const failing = cold("a#");
      expectObservable(failing.pipe(op(), retry(1))).toBe("ab#", {
        a: ev("a", 1, 1, 0, 0, 1),
        b: ev("a", 1, 1, 0, 0, 1),
      });
      expectSubscriptions(failing.subscriptions).toBe(["^!", "-^!"]);
    });
  });
  await t.step("share(): one queue for two subscribers", () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold("a-b|");
      const shared = src.pipe(backpressure<string>({ scheduler: asyncScheduler }), share());
      const expected = { a: ev("a", 1, 1, 0, 0, 1), b: ev("b", 2, 2, 0, 0, 1) };
      expectObservable(shared).toBe("a-b|", expected);
      expectObservable(shared).toBe("a-b|", expected);
      expectSubscriptions(src.subscriptions).toBe("^--!");
    });
  });
});

Deno.test("backpressure() handles a re-entrant Subject feedback loop (RxJS: should handle reentrant subscribers)", async () => {
  const subject = new Subject<number>();
  const done = lastValueFrom(subject.pipe(backpressure<number>(), take(5), toArray()));
  const seen: number[] = [];
  subject.pipe(backpressure<number>()).subscribe((e) => {
    seen.push(e.value);
    if (e.value < 5) subject.next(e.value + 1); // pushes back into the Subject it reads
    else subject.complete();
  });
  subject.next(1);
  assertEquals((await done).map((e) => e.value), [1, 2, 3, 4, 5]);
  assertEquals(seen, [1, 2, 3, 4, 5]);
});

Deno.test("backpressure() passes its values through untouched (RxJS: should not mutate its input)", async () => {
  const values = [Object.freeze({ v: 1 }), Object.freeze({ v: 2 })];
  const options = Object.freeze({ capacity: 4, policy: "drop-newest" as const });
  const out = await lastValueFrom(from(values).pipe(backpressure(options), toArray()));
  assertStrictEquals(out[0].value, values[0]);
  assertStrictEquals(out[1].value, values[1]);
  assertEquals(options, { capacity: 4, policy: "drop-newest" });
});
