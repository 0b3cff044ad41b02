import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import {
  Adwin,
  AnomalyScorer,
  ForecastScore,
  forecastSkill,
  OnlineAR,
  PageHinkley,
  Persistence,
  ResidualForecaster,
  RobustSpread,
} from "../../src/online/forecast/mod.ts";

const roundTrip = <T>(state: T): T => JSON.parse(JSON.stringify(state));

Deno.test("Persistence predicts the last value and round-trips its state", () => {
  const p = new Persistence();
  assertEquals(p.predict(), 0);
  p.learn(3);
  p.learn(-2.5);
  assertEquals(p.predict(), -2.5);
  assertEquals(Persistence.fromState(roundTrip(p.toState())).toState(), p.toState());
  assertThrows(() => p.learn(NaN), RangeError);
  assertThrows(() => Persistence.fromState({ last: "x" } as never), TypeError);
});

Deno.test("OnlineAR fits an AR(1) of differences by RLS", async (t) => {
  await t.step("one RLS step computed by hand (p = 1, λ = 1, δ = 1)", () => {
    const ar = new OnlineAR({ order: 1, forgetting: 1, delta: 1 });
    [0, 1, 3].forEach((v) => ar.learn(v)); // h = [1] when d = 2 arrives: e = 2, P·h = 1, g = 1/2, a = 1
    assertAlmostEquals(ar.toState().weights[0], 1, 1e-15);
    assertAlmostEquals(ar.toState().inverse[0], 0.5, 1e-15);
    assertAlmostEquals(ar.predict(), 3 + 2, 1e-12); // last 3, a·d = 1·2
  });
  await t.step("recovers a ≈ −0.5 on d_t = −0.5·d_{t−1} and round-trips bit for bit", () => {
    const ar = new OnlineAR({ order: 1 });
    let x = 0, d = 1;
    for (let k = 0; k < 50; k++) {
      x += d;
      d = -0.5 * d + (k % 7 === 0 ? 1 : 0);
      ar.learn(x);
    }
    assertAlmostEquals(ar.toState().weights[0], -0.5, 0.02); // the kicks add noise
    const copy = OnlineAR.fromState(roundTrip(ar.toState()));
    copy.learn(x + 1);
    ar.learn(x + 1);
    assertEquals(copy.predict(), ar.predict());
  });
  await t.step("rejects bad options and states", () => {
    assertThrows(() => new OnlineAR({ order: 0 }), RangeError);
    assertThrows(() => new OnlineAR({ forgetting: 1.5 }), RangeError);
    assertThrows(() => new OnlineAR({ delta: -1 }), RangeError);
    assertThrows(() => OnlineAR.fromState({ ...new OnlineAR().toState(), weights: [1] }), TypeError);
  });
  await t.step("never predicts NaN or Infinity on ±1e300 and ±1.7e308", () => {
    const ar = new OnlineAR();
    for (const v of [1e300, -1e300, 1e300, 1.7e308, -1.7e308, 5, 1e300, -1e300]) {
      ar.learn(v);
      assert(Number.isFinite(ar.predict()));
    }
    assert(ar.skipped > 0);
  });
});

Deno.test("RobustSpread estimates a normal-consistent spread that one outlier barely moves", () => {
  const s = new RobustSpread({ halfLife: 100 });
  assertEquals(s.sigma, 0);
  s.update(2);
  assertAlmostEquals(s.sigma, 1.4826 * 2, 1e-3); // first value: median = mean = 2
  for (let i = 0; i < 500; i++) s.update(i % 2 === 0 ? 2 : -2);
  const before = s.sigma;
  s.update(1e300);
  assert(Number.isFinite(s.sigma) && Math.abs(s.sigma - before) < 0.1 * before);
  assertEquals(RobustSpread.fromState(roundTrip(s.toState())).sigma, s.sigma);
  assertThrows(() => new RobustSpread({ halfLife: 0 }), RangeError);
  assertThrows(() => new RobustSpread({ clip: 0 }), RangeError);
});

Deno.test("ResidualForecaster is persistence until its correction beats persistence", async (t) => {
  await t.step("untrained and on a random walk it predicts exactly the last value", () => {
    const f = new ResidualForecaster();
    let x = 0, seed = 1;
    for (let k = 0; k < 2000; k++) {
      seed = (seed * 48271) % 2147483647;
      x += seed / 2147483647 - 0.5;
      f.learn(x);
    }
    if (!f.active) assertEquals(f.predict(), x);
  });
  await t.step("learns a sawtooth and beats persistence on it", () => {
    const f = new ResidualForecaster(), p = new Persistence();
    let ef = 0, ep = 0;
    for (let k = 0; k < 4000; k++) {
      const v = k % 2;
      if (k > 0) {
        ef += Math.abs(v - f.predict());
        ep += Math.abs(v - p.predict());
      }
      f.learn(v);
      p.learn(v);
    }
    assert(f.active && ef < ep);
    const copy = ResidualForecaster.fromState(roundTrip(f.toState()));
    assertEquals(copy.predict(), f.predict());
  });
  await t.step("frozen readings move the last value but teach nothing", () => {
    const f = new ResidualForecaster({ warmup: 0 });
    [1, 2, 1, 2].forEach((v) => f.learn(v));
    const weights = f.toState().weights;
    f.learn(100, true);
    assertEquals(f.toState().weights, weights);
    assertEquals(f.toState().last, 100);
  });
  await t.step("rejects bad options and never returns NaN on 1e300", () => {
    assertThrows(() => new ResidualForecaster({ learningRate: 2 }), RangeError);
    assertThrows(() => new ResidualForecaster({ margin: 1 }), RangeError);
    assertThrows(() => new ResidualForecaster({ warmup: -1 }), RangeError);
    const f = new ResidualForecaster({ warmup: 0 });
    for (const v of [1e300, -1e300, 1e300, 0, 1.7e308, -1.7e308]) {
      f.learn(v);
      assert(Number.isFinite(f.predict()));
    }
  });
});

Deno.test("ForecastScore keeps MAE per method and a finite skill", () => {
  const score = new ForecastScore(["a", "b"], { maxError: 100 });
  assertEquals(score.summary()[0].skill, 1); // nothing scored
  assertEquals(score.add(0, 1, { model: 1, persistence: 0, ar: 3 }), true); // errors 0, 1, 2
  score.add(0, 2, { model: 1, persistence: 0, ar: 2 }); // errors 1, 2, 0
  assertEquals(score.add(0, 1e300, { model: 0, persistence: 0, ar: 0 }), false); // skipped
  assertEquals(score.add(0, 1, { model: NaN, persistence: 0, ar: 0 }), false); // skipped
  score.add(1, 5, { model: 4, persistence: 5, ar: 5 }); // persistence 0: skill capped
  const [a, b] = score.summary();
  assertEquals(a.mae, { model: 0.5, persistence: 1.5, ar: 1 });
  assertAlmostEquals(a.skill, 1 / 3, 1e-15);
  assertAlmostEquals(a.arSkill, 2 / 3, 1e-15);
  assertEquals([a.count, a.skipped], [2, 2]);
  assertEquals(b.skill, 1e6);
  assertEquals(ForecastScore.fromState(roundTrip(score.toState())).summary(), score.summary());
  assertThrows(() => new ForecastScore([]), RangeError);
  assertThrows(() => new ForecastScore(["a"], { maxError: 0 }), RangeError);
  assertThrows(() => score.add(2, 0, { model: 0, persistence: 0, ar: 0 }), RangeError);
});

Deno.test("forecastSkill() is error ÷ persistence's error, finite and capped", () => {
  assertEquals(forecastSkill(1, 4), 0.25);
  assertEquals(forecastSkill(3, 1), 3);
  assertEquals(forecastSkill(0, 0), 1); // both exact: nothing to choose
  assertEquals(forecastSkill(2, 0), 1e6); // only persistence exact: capped
  assertEquals(forecastSkill(1e300, 1e-300), 1e6);
  // the summed errors of the same values give the same ratio as their MAEs
  assertEquals(forecastSkill(6, 8), forecastSkill(6 / 4, 8 / 4));
});

Deno.test("AnomalyScorer starts a flag only above onset and ends a hold once the series settles", () => {
  const s = new AnomalyScorer(1, { warmup: 4, threshold: 5, onset: 20, settle: 3, calm: 3 });
  for (let i = 0; i < 10; i++) s.score([i % 2], [(i + 1) % 2]); // σ = 1.4826
  assert(!s.score([15], [1]).flagged); // 9.4 spreads: above threshold, below onset
  s.score([1], [1]);
  const jump = s.score([50], [1]); // 33 spreads: starts a hold
  assert(jump.flagged && jump.hold);
  assert(s.score([50], [50]).flagged); // one calm step at the new level: still held against ref 1
  assert(s.score([50], [50]).flagged); // two
  const settled = s.score([50], [50]); // three calm steps in a row: the new level is accepted
  assert(!settled.flagged && !settled.hold && s.held === 0);
  assertEquals(AnomalyScorer.fromState(roundTrip(s.toState())).toState(), s.toState());
  assertThrows(() => new AnomalyScorer(1, { settle: 1.5 }), RangeError);
  assertThrows(() => new AnomalyScorer(1, { onset: -1 }), RangeError);
});

Deno.test("AnomalyScorer scores residuals in robust spreads, holds anomalies and releases after maxHold", () => {
  const s = new AnomalyScorer(1, { warmup: 4, maxHold: 3, threshold: 5, onset: 5, settle: 0 });
  for (let i = 0; i < 10; i++) assert(!s.score([i % 2], [(i + 1) % 2]).flagged); // |r| = 1 each: σ = 1.4826
  const v = s.score([20], [1]); // r = 19 from the forecast
  assertAlmostEquals(v.score, 19 / 1.4826, 0.01);
  assert(v.flagged && v.hold);
  assertAlmostEquals(s.score([20], [20]).score, 19 / (1.4826 * Math.SQRT2), 0.01); // scored against ref 1, widened √2
  assert(s.score([20], [20]).hold);
  const last = s.score([20], [20]); // the fourth flag in a row: maxHold reached, accepted as normal
  assert(last.flagged && !last.hold && s.held === 0);
  const copy = AnomalyScorer.fromState(roundTrip(s.toState()));
  assertEquals(copy.score([20], [20]), s.score([20], [20]));
  assertThrows(() => new AnomalyScorer(0), RangeError);
  assertThrows(() => new AnomalyScorer(1, { threshold: 0 }), RangeError);
  assertThrows(() => s.score([1, 2], [1]), RangeError);
  const huge = new AnomalyScorer(1, { warmup: 0 });
  for (const x of [1e300, -1e300, 1e300]) assert(Number.isFinite(huge.score([x], [-x]).score));
});

Deno.test("PageHinkley reports a mean shift and starts afresh", () => {
  const ph = new PageHinkley({ minInstances: 5, delta: 0, threshold: 3, alpha: 1, mode: "up" });
  const hits: number[] = [];
  for (let t = 0; t < 40; t++) if (ph.update(t < 20 ? 0 : 1)) hits.push(t);
  assert(hits.length >= 1 && hits[0] >= 20 && hits[0] < 26);
  const copy = PageHinkley.fromState(roundTrip(ph.toState()));
  assertEquals(copy.update(1), ph.update(1));
  assertThrows(() => new PageHinkley({ alpha: 0 }), RangeError);
  assertThrows(() => new PageHinkley({ mode: "sideways" as never }), RangeError);
  assert(!new PageHinkley().update(1e300));
});

Deno.test("Adwin drops the old window after a change of mean and keeps a stable one", () => {
  const stable = new Adwin();
  for (let t = 0; t < 2000; t++) assert(!stable.update(t % 2));
  assertEquals(stable.width, 2000);
  assertAlmostEquals(stable.mean, 0.5, 1e-12);
  const a = new Adwin({ clock: 1 });
  for (let t = 0; t < 300; t++) a.update(t < 150 ? 0 : 10);
  assert(a.drifts >= 1 && a.width < 200);
  const copy = Adwin.fromState(roundTrip(a.toState()));
  assertEquals([copy.width, copy.update(10)], [a.width, a.update(10)]);
  assertThrows(() => new Adwin({ delta: 1 }), RangeError);
  assertThrows(() => new Adwin({ maxBuckets: 1 }), RangeError);
  for (const x of [1e300, -1e300, 1e300]) a.update(x);
  assert(Number.isFinite(a.mean));
});
