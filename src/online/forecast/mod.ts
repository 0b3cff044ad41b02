/**
 * Online forecasting baselines, a residual forecaster that starts as persistence, skill
 * accounting, a self-calibrating anomaly score and drift detectors — all synchronous,
 * per series, with their state as plain data.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { AnomalyScorer, ForecastScore, OnlineAR, Persistence, ResidualForecaster } from "./mod.ts";
 * const model = new ResidualForecaster(), persistence = new Persistence(), ar = new OnlineAR();
 * const scorer = new AnomalyScorer(1), score = new ForecastScore(["t"]);
 * for (let t = 0; t < 300; t++) {
 *   const v = 20 + Math.sin(t / 20) + (t === 250 ? 30 : 0);
 *   if (t > 0) {
 *     const forecast = model.predict();
 *     score.add(0, v, { model: forecast, persistence: persistence.predict(), ar: ar.predict() });
 *     const verdict = scorer.score([v], [forecast]);
 *     if (t === 250) assert(verdict.flagged);
 *     model.learn(v, verdict.hold);
 *   } else model.learn(v);
 *   persistence.learn(v);
 *   ar.learn(v);
 * }
 * assert(score.summary()[0].skill <= 1);
 * ```
 *
 * @module
 */
export * from "./persistence.ts";
export * from "./online_ar.ts";
export * from "./robust_spread.ts";
export * from "./residual_forecaster.ts";
export * from "./forecast_score.ts";
export * from "./anomaly_scorer.ts";
export * from "./page_hinkley.ts";
export * from "./adwin.ts";
