/**
 * prequential()'s baselines: persistence and online AR per target series (linear head),
 * the previous class (softmax head), scored on the same targets as the model, with late
 * labels, snapshots and options. The model is frozen (learning rate 0, Wya = 0) so that
 * its prediction is its output bias and every figure can be computed by hand.
 */
import { assert, assertAlmostEquals, assertEquals, assertStrictEquals, assertThrows } from "@std/assert";
import { from } from "rxjs";
import { fromRows, initParams, LiveLearner, Matrix, prequential } from "../../mod.ts";
import type {
  PrequentialEvent,
  PrequentialInput,
  PrequentialOptions,
  PrequentialSnapshot,
} from "../../mod.ts";
// not yet re-exported by the top mod.ts
import type { PrequentialBaselines, RowBaselines } from "../../src/online/prequential.ts";
import { decodeValue, encodeValue } from "../../src/io/checkpoint/codec.ts";
import { collectSync } from "../_sync.ts";

/** A frozen model whose prediction is always `bias` (one value per output row). */
function frozen(bias: number[], over: Partial<PrequentialOptions> = {}): PrequentialOptions {
  const ny = bias.length;
  const params = initParams({ nx: 1, na: 3, ny }, { seed: 2 });
  params.Wya.data.fill(0);
  params.by.data.set(bias);
  return {
    params,
    head: "linear",
    optimizer: { type: "sgd", learningRate: 0 },
    window: 2,
    ...over,
  };
}

/** One column, one output row: feature 0 and target y, on time. */
const onTime = (ys: number[]): PrequentialInput[] =>
  ys.map((y) => ({ x: fromRows([[0]]), y: fromRows([[y]]) }));

/** The same targets, each label `d` steps late (it arrives just before step t + d). */
function late(ys: number[], d: number, by: "index" | "id" = "index"): PrequentialInput[] {
  const out: PrequentialInput[] = [];
  for (let t = 0; t < ys.length + d; t++) {
    const s = t - d;
    if (s >= 0) {
      out.push(
        by === "index" ? { labelFor: s, y: fromRows([[ys[s]]]) } : { id: `s${s}`, y: fromRows([[ys[s]]]) },
      );
    }
    if (t < ys.length) {
      out.push(by === "index" ? { x: fromRows([[0]]) } : { x: fromRows([[0]]), id: `s${t}` });
    }
  }
  return out;
}

const runSync = (events: PrequentialInput[], options: PrequentialOptions): PrequentialEvent[] => {
  const out = collectSync<PrequentialEvent>(from(events).pipe(prequential(options)));
  if (out.error !== undefined) throw out.error;
  return out.values;
};

/** The regression baselines of an event (fails on anything else). */
function rows(e: PrequentialEvent): Extract<PrequentialBaselines, { kind: "regression" }> {
  const b = e.metrics.baselines;
  assert(b !== null && b.kind === "regression", `regression baselines: ${JSON.stringify(b)}`);
  return b;
}

const row = (count: number, model: number, persistence: number, ar: number): RowBaselines => ({
  count,
  mae: { model, persistence, ar },
  skill: model / persistence,
  arSkill: ar / persistence,
});
const EMPTY_ROW: RowBaselines = {
  count: 0,
  mae: { model: NaN, persistence: NaN, ar: NaN },
  skill: null,
  arSkill: null,
};

/** A snapshot through the checkpoint codec (lossless JSON), as a checkpoint file keeps it. */
const roundTrip = <T>(value: T): T => decodeValue(JSON.parse(JSON.stringify(encodeValue(value)))) as T;

Deno.test("prequential() scores persistence and online AR beside the model, per output row", async (t) => {
  await t.step("hand-computed MAEs and skills, since the start and over the window", () => {
    // targets 1, 3, 2, 5; the model always says 0.5; persistence says the previous target
    const out = runSync(onTime([1, 3, 2, 5]), frozen([0.5]));
    assertEquals(out.map((e) => rows(e).total), [
      [EMPTY_ROW], // no previous target yet: nothing compared
      [row(1, 2.5, 2, 2)],
      [row(2, 4 / 2, 3 / 2, 3 / 2)],
      [row(3, 8.5 / 3, 6 / 3, 6 / 3)],
    ]);
    // the window holds the last 2 scored predictions: the 1st (nothing compared) drops out of the 3rd's
    assertEquals(out.map((e) => rows(e).window), [
      [EMPTY_ROW],
      [row(1, 2.5, 2, 2)],
      [row(2, 2, 1.5, 1.5)],
      [row(2, 3, 2, 2)],
    ]);
    // until the AR model has seen order + 1 differences it forecasts like persistence; the model's
    // own metrics still count every prediction, the first one included
    assertEquals(out.at(-1)!.metrics.total.mae, (0.5 + 2.5 + 1.5 + 4.5) / 4);
  });

  await t.step("an alternating series: a model at 0.5 halves persistence's MAE; AR(1) learns it", () => {
    const ys = Array.from({ length: 200 }, (_, i) => i % 2);
    const out = runSync(onTime(ys), frozen([0.5], { baselines: { ar: 1 }, window: 50 }));
    const { total, window } = rows(out.at(-1)!);
    assertEquals([total[0].count, total[0].mae.model, total[0].mae.persistence, total[0].skill], [
      199,
      0.5,
      1,
      0.5,
    ]);
    // differences alternate, d = −d_prev: one AR coefficient (−1) forecasts them exactly
    assert(window[0].mae.ar < 1e-3, `AR MAE ${window[0].mae.ar}`);
    assert(window[0].arSkill! < 1e-3 && total[0].arSkill! < 1);
    assertEquals(window[0].skill, 0.5);
  });

  await t.step("AR(3) learns a geometric and a linear series: its error goes to ~0 and its skill < 1", () => {
    for (
      const [name, f] of [["geometric", (t: number) => 3 * 1.05 ** t], [
        "linear",
        (t: number) => 2 - 0.3 * t,
      ]] as const
    ) {
      const ys = Array.from({ length: 120 }, (_, t) => f(t));
      const out = runSync(onTime(ys), frozen([0], { window: 20 }));
      const { total, window } = rows(out.at(-1)!);
      const scale = Math.abs(ys.at(-1)! - ys.at(-2)!); // persistence's last error
      // and it keeps falling
      assert(window[0].mae.ar < rows(out[60]).window[0].mae.ar / 2, `${name}: AR error did not fall`);
      assert(window[0].mae.ar < 1e-3 * scale, `${name}: rolling AR MAE ${window[0].mae.ar}`);
      assert(window[0].arSkill! < 1e-3 && total[0].arSkill! < 0.1, `${name}: ${JSON.stringify(total[0])}`);
      // persistence lags by one difference: on the linear series its error is the slope, exactly
      if (name === "linear") assertAlmostEquals(total[0].mae.persistence, 0.3, 1e-12);
    }
  });

  await t.step("each column is its own series; each output row is reported on its own", () => {
    // 2 rows × 2 columns: the model says [1, -1] in every column
    const targets = [
      [[0, 10], [5, 5]],
      [[2, 10], [5, 7]],
      [[1, 14], [5, 4]],
    ];
    const events = targets.map((y) => ({ x: fromRows([[0, 0]]), y: fromRows(y) }));
    const out = runSync(events, frozen([1, -1], { window: 5 }));
    const { total } = rows(out.at(-1)!);
    // row 0: persistence errors |2−0|, |10−10|, |1−2|, |14−10| = 2, 0, 1, 4; model |2−1|, |10−1|, |1−1|, |14−1|
    assertEquals(total[0], row(4, (1 + 9 + 0 + 13) / 4, 7 / 4, 7 / 4));
    // row 1: persistence 0, 2, 0, 3; model |5+1|, |7+1|, |5+1|, |4+1|
    assertEquals(total[1], row(4, 25 / 4, 5 / 4, 5 / 4));
  });

  await t.step("a value with an error above 1e12 (a diverged model) is skipped for every method", () => {
    const out = runSync(onTime([1, 3, 2, 5]), frozen([1e300]));
    assertEquals(rows(out.at(-1)!), { kind: "regression", window: [EMPTY_ROW], total: [EMPTY_ROW] });
    // the same stream with a sane model compares 3 values
    assertEquals(rows(runSync(onTime([1, 3, 2, 5]), frozen([0])).at(-1)!).total[0].count, 3);
  });

  await t.step("the same operator subscribed twice keeps separate baselines", () => {
    const op = prequential(frozen([0.5]));
    const a = collectSync<PrequentialEvent>(from(onTime([1, 3, 2])).pipe(op)).values;
    const b = collectSync<PrequentialEvent>(from(onTime([1, 3, 2])).pipe(op)).values;
    assertEquals(b.at(-1)!.metrics.baselines, a.at(-1)!.metrics.baselines);
    assertEquals(rows(a.at(-1)!).total[0].count, 2);
  });
});

Deno.test("prequential() baselines with late labels: forecast at the step, scored and learned at the label", async (t) => {
  const ys = [1, 3, 2, 5, 4];
  await t.step("labels one step late (the forecasting set-up) give the on-time figures", () => {
    const a = runSync(onTime(ys), frozen([0.5], { window: 10 }));
    const b = runSync(late(ys, 1), frozen([0.5], { window: 10, labelDelay: 1 }));
    assertEquals(b.at(-1)!.metrics.baselines, a.at(-1)!.metrics.baselines);
    // persistence |3−1| + |2−3| + |5−2| + |4−5| over 4
    assertEquals(rows(b.at(-1)!).total[0], row(4, (2.5 + 1.5 + 4.5 + 3.5) / 4, 7 / 4, 7 / 4));
  });

  await t.step("labels two steps late: the baselines forecast from the targets known at the step", () => {
    // steps 0 and 1 are predicted before any label came: not compared; at step 2 the last target
    // known is y0 = 1, at step 3 y1 = 3, at step 4 y2 = 2
    const expected = row(3, (1.5 + 4.5 + 3.5) / 3, (1 + 2 + 2) / 3, (1 + 2 + 2) / 3);
    for (const by of ["index", "id"] as const) {
      const out = runSync(late(ys, 2, by), frozen([0.5], { window: 10, labelDelay: 2 }));
      assertEquals(rows(out.at(-1)!).total[0], expected, by);
      // a step event has nothing new to score: its baselines are those of the label before it
      const labels = out.filter((e) => e.kind === "label").map((e) => rows(e).total[0].count);
      assertEquals(labels, [0, 0, 1, 2, 3]);
      // …and the very same object, frozen: a summary is computed once per scored prediction
      out.forEach((e, k) => {
        assert(Object.isFrozen(e.metrics.baselines) && Object.isFrozen(rows(e).total[0].mae));
        if (k > 0 && e.kind === "step") assertStrictEquals(e.metrics.baselines, out[k - 1].metrics.baselines);
      });
    }
  });

  await t.step("labels too late to be learned from are scored by the baselines all the same", () => {
    const learned = runSync(late(ys, 2), frozen([0.5], { window: 10, labelDelay: 2 }));
    const tooLate = runSync(late(ys, 2), frozen([0.5], { window: 10, labelDelay: 0 }));
    assertEquals(tooLate.at(-1)!.counters.late, 5);
    assertEquals(tooLate.at(-1)!.metrics.baselines, learned.at(-1)!.metrics.baselines);
  });

  await t.step("labels out of order: a baseline learns targets in the order they arrive", () => {
    const x = () => fromRows([[0]]), y = (v: number) => fromRows([[v]]);
    const events: PrequentialInput[] = [
      { x: x() },
      { x: x() },
      { x: x() },
      { labelFor: 2, y: y(2) },
      { labelFor: 0, y: y(1) },
      { labelFor: 1, y: y(3) },
      { x: x() }, // the last target to arrive was 3
      { labelFor: 3, y: y(5) },
    ];
    const out = runSync(events, frozen([0.5], { window: 10, labelDelay: 3 }));
    assertEquals(rows(out.at(-1)!).total[0], row(1, 4.5, 2, 2));
  });
});

Deno.test("prequential() resumes its baselines exactly, labels in flight included", async (t) => {
  const ys = Array.from({ length: 40 }, (_, i) => Math.sin(i / 3) + 0.05 * i);
  const events = late(ys, 2);
  const options: PrequentialOptions = {
    sizes: { nx: 1, na: 4, ny: 1 },
    head: "linear",
    k1: 2,
    k2: 4,
    labelDelay: 2,
    optimizer: { type: "adam", learningRate: 0.01 },
    window: 7,
  };
  const full = runSync(events, options);
  for (const cut of [1, 6, 31, events.length - 1]) {
    await t.step(`cut after event ${cut}`, () => {
      const head = runSync(events.slice(0, cut + 1), options);
      // taken after the stream completed, through the checkpoint codec
      const snap = roundTrip(head.at(-1)!.snapshot());
      assert(snap.baselines !== null && snap.baselines !== undefined);
      const rest = runSync(events.slice(cut + 1), { resume: snap });
      rest.forEach((e, k) =>
        assertEquals(e.metrics.baselines, full[cut + 1 + k].metrics.baselines, `event ${k}`)
      );
      const end = rest.at(-1) ?? head.at(-1)!;
      assertEquals(end.snapshot().baselines, full.at(-1)!.snapshot().baselines);
    });
  }
  assert(rows(full.at(-1)!).total[0].count === ys.length - 2);
});

Deno.test("prequential() softmax head: the accuracy of the previous class beside the model's", async (t) => {
  // a frozen model whose most likely class is always 1
  const params = initParams({ nx: 3, na: 3, ny: 3 }, { seed: 1 });
  params.Wya.data.fill(0);
  params.by.data.set([0, 1, 0]);
  const options: PrequentialOptions = { params, optimizer: { type: "sgd", learningRate: 0 }, window: 3 };
  const classes = [2, 2, 2, 1, 1, 0];
  const expectFigures = (out: PrequentialEvent[]) => {
    const b = out.at(-1)!.metrics.baselines as Extract<PrequentialBaselines, { kind: "classification" }>;
    assertStrictEquals(b.kind, "classification");
    // targets 1..5: 2, 2, 1, 1, 0; the model (class 1) hits 2; the previous class hits 2=2, 2=2, 1=1
    assertEquals(b.total, { count: 5, accuracy: { model: 2 / 5, persistence: 3 / 5 } });
    // the last 3: 1, 1, 0 (previous 2, 1, 1)
    assertEquals(b.window, { count: 3, accuracy: { model: 2 / 3, persistence: 1 / 3 } });
    assertEquals(out[0].metrics.baselines, {
      kind: "classification",
      window: { count: 0, accuracy: { model: NaN, persistence: NaN } },
      total: { count: 0, accuracy: { model: NaN, persistence: NaN } },
    });
    // the model's own accuracy counts the first step too
    assertEquals(out.at(-1)!.metrics.total.accuracy, 2 / 6);
  };
  await t.step("targets as class indices", () => {
    expectFigures(runSync(classes.map((c) => ({ x: [0], y: [c] })), options));
  });
  await t.step("targets as one-hot matrices, labels one step late", () => {
    const oneHot = (c: number) => new Matrix(3, 1, Float64Array.from([0, 1, 2], (i) => (i === c ? 1 : 0)));
    const events: PrequentialInput[] = [];
    classes.forEach((_, t) => {
      if (t > 0) events.push({ labelFor: t - 1, y: oneHot(classes[t - 1]) });
      events.push({ x: [0] });
    });
    events.push({ labelFor: classes.length - 1, y: oneHot(classes.at(-1)!) });
    expectFigures(runSync(events, { ...options, labelDelay: 1 }));
  });
});

Deno.test("prequential() baselines: options are checked at creation; false turns them off", async (t) => {
  await t.step("bad values are clear errors", () => {
    const make = (baselines: unknown, head: "linear" | "softmax" = "linear") =>
      prequential({
        sizes: { nx: 1, na: 2, ny: head === "linear" ? 1 : 2 },
        head,
        baselines: baselines as PrequentialOptions["baselines"],
      });
    assertThrows(
      () => make("yes"),
      TypeError,
      "Cannot create prequential() as 'baselines' must be true, false or { ar }: current value is yes",
    );
    assertThrows(
      () => make(null),
      TypeError,
      "'baselines' must be true, false or { ar }: current value is null",
    );
    assertThrows(
      () => make({ order: 3 }),
      TypeError,
      `'baselines' must have no key but 'ar': current value is {"order":3}`,
    );
    for (const ar of [0, 1.5, 65, NaN, "3"]) {
      assertThrows(
        () => make({ ar }),
        RangeError,
        `Cannot create prequential() as 'baselines.ar' must be an integer in [1, 64]: current value is ${ar}`,
      );
    }
    assertThrows(
      () => make({ ar: 3 }, "softmax"),
      RangeError,
      "'baselines.ar' must be absent with the softmax head (its baseline is the previous class): current value is 3",
    );
    make({}, "softmax");
    make(true, "softmax");
  });

  await t.step("false: no baselines in the metrics nor in the snapshot", () => {
    const out = runSync(onTime([1, 2, 3]), frozen([0], { baselines: false }));
    assertStrictEquals(out.at(-1)!.metrics.baselines, null);
    const snap = out.at(-1)!.snapshot();
    assertEquals([snap.config.baselines, snap.baselines], [null, null]);
    // and a resumed run stays without
    assertStrictEquals(runSync(onTime([4]), { resume: snap })[0].metrics.baselines, null);
  });

  await t.step("{ ar } sets the AR order, kept in the snapshot's config", () => {
    const snap = runSync(onTime([1, 2, 3]), frozen([0], { baselines: { ar: 2 } })).at(-1)!.snapshot();
    assertEquals(snap.config.baselines, { ar: 2 });
    assertEquals(snap.baselines!.ar[0].options.order, 2);
  });

  await t.step("a snapshot made before there were baselines resumes without them", () => {
    const snap = runSync(onTime([1, 2, 3]), frozen([0])).at(-1)!.snapshot();
    const { baselines: _, ...config } = snap.config;
    const old = { ...snap, config, baselines: undefined } as unknown as PrequentialSnapshot;
    old.pending.forEach((p) => delete p.baselines);
    const out = runSync(onTime([4, 5]), { resume: old });
    assertStrictEquals(out.at(-1)!.metrics.baselines, null);
  });

  await t.step("a snapshot whose baselines do not fit its config is refused at creation", () => {
    const snap = runSync(onTime([1, 2, 3]), frozen([0])).at(-1)!.snapshot();
    const bad = (baselines: unknown) => ({ ...snap, baselines } as unknown as PrequentialSnapshot);
    assertThrows(() => prequential({ resume: bad(undefined) }), TypeError, "the snapshot's baselines");
    assertThrows(
      () => prequential({ resume: bad({ ...snap.baselines!, cols: 2 }) }),
      TypeError,
      "the snapshot's baselines do not fit its config",
    );
    const ar = snap.baselines!.ar.map((s) => ({ ...s, weights: [NaN, 0, 0] }));
    assertThrows(
      () => prequential({ resume: bad({ ...snap.baselines!, ar }) }),
      TypeError,
      "the snapshot's baselines are malformed: Cannot restore OnlineAR",
    );
    const pending = runSync(late([1, 2, 3], 2).slice(0, 4), frozen([0], { labelDelay: 2 })).at(-1)!
      .snapshot();
    assert(pending.pending.length > 0);
    pending.pending[0].baselines = { persistence: "x" } as never;
    assertThrows(
      () => prequential({ resume: pending }),
      TypeError,
      `the baselines of pending step ${pending.pending[0].index} are malformed`,
    );
    assertThrows(
      () => prequential({ resume: { ...snap, config: { ...snap.config, baselines: { ar: 0 } } } }),
      RangeError,
      "'baselines.ar' must be an integer in [1, 64]: current value is 0",
    );
  });
});

Deno.test("LiveLearner's series models run without prequential() baselines (the learner scores its own)", () => {
  const learner = new LiveLearner({ features: ["t"], hiddenSize: 2 });
  for (let i = 0; i < 5; i++) learner.observe("a", [i], 0);
  const preq = learner.getState().series.a.preq;
  assertEquals([preq.config.baselines, preq.baselines], [null, null]);
  assertEquals(learner.metrics().baselines[0].count, 4);
  learner.close();
});
