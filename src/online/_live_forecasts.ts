/**
 * One series' scalar forecasters and detectors beside the live learner's recurrent model
 * (private to src/online): persistence and online AR (the baselines), the gated linear
 * ResidualForecaster, the gate between it and the recurrent model, the AnomalyScorer, and
 * Page-Hinkley / ADWIN on the normalised residuals — all with plain-data state.
 *
 * @module
 */
import { Adwin } from "./forecast/adwin.ts";
import type { AdwinState } from "./forecast/adwin.ts";
import { AnomalyScorer } from "./forecast/anomaly_scorer.ts";
import type { AnomalyScorerOptions, AnomalyScorerState, AnomalyVerdict } from "./forecast/anomaly_scorer.ts";
import { OnlineAR } from "./forecast/online_ar.ts";
import type { OnlineARState } from "./forecast/online_ar.ts";
import { PageHinkley } from "./forecast/page_hinkley.ts";
import type { PageHinkleyState } from "./forecast/page_hinkley.ts";
import { Persistence } from "./forecast/persistence.ts";
import type { PersistenceState } from "./forecast/persistence.ts";
import { ResidualForecaster } from "./forecast/residual_forecaster.ts";
import type { ResidualForecasterState } from "./forecast/residual_forecaster.ts";
import { RobustSpread } from "./forecast/robust_spread.ts";
import type { RobustSpreadState } from "./forecast/robust_spread.ts";

/** Plain-data state of {@linkcode LiveForecasts}. */
export interface LiveForecastsState {
  persistence: PersistenceState[];
  ar: OnlineARState[];
  linear: ResidualForecasterState[];
  /** Running MAE of the recurrent model's and of the linear path's forecasts, per field. */
  modelMae: number[];
  linearMae: number[];
  /** Forecasts gated so far. */
  gated: number;
  scorer: AnomalyScorerState;
  spread: RobustSpreadState[];
  pageHinkley: PageHinkleyState[];
  adwin: AdwinState[];
}

const GATE_WEIGHT = 1 - 2 ** (-1 / 500); // running MAEs with a half-life of 500 forecasts
const GATE_MARGIN = 0.02; // the recurrent model is used while its running MAE is 2 % below the linear path's
const GATE_WARMUP = 100;
const Z_CAP = 50;

/** The scalar forecasters and detectors of one series. */
export class LiveForecasts {
  readonly persistence: Persistence[];
  readonly ar: OnlineAR[];
  readonly linear: ResidualForecaster[];
  readonly modelMae: Float64Array;
  readonly linearMae: Float64Array;
  gated = 0;
  readonly scorer: AnomalyScorer;
  readonly spread: RobustSpread[];
  readonly pageHinkley: PageHinkley[];
  readonly adwin: Adwin[];

  constructor(fields: number, scorer: AnomalyScorerOptions, state?: LiveForecastsState) {
    const each = <T>(make: (i: number) => T) => Array.from({ length: fields }, (_, i) => make(i));
    this.persistence = each((i) => state ? Persistence.fromState(state.persistence[i]) : new Persistence());
    this.ar = each((i) => state ? OnlineAR.fromState(state.ar[i]) : new OnlineAR());
    this.linear = each((i) =>
      state ? ResidualForecaster.fromState(state.linear[i]) : new ResidualForecaster()
    );
    this.modelMae = Float64Array.from(state?.modelMae ?? each(() => 0));
    this.linearMae = Float64Array.from(state?.linearMae ?? each(() => 0));
    this.gated = state?.gated ?? 0;
    this.scorer = state ? AnomalyScorer.fromState(state.scorer) : new AnomalyScorer(fields, scorer);
    this.spread = each((i) => state ? RobustSpread.fromState(state.spread[i]) : new RobustSpread());
    this.pageHinkley = each((i) => state ? PageHinkley.fromState(state.pageHinkley[i]) : new PageHinkley());
    this.adwin = each((i) => state ? Adwin.fromState(state.adwin[i]) : new Adwin());
  }

  /** Whether field i's forecast is the recurrent model's (it has beaten the linear path by the margin). */
  useModel(i: number): boolean {
    return this.gated > GATE_WARMUP && this.modelMae[i] < (1 - GATE_MARGIN) * this.linearMae[i];
  }

  /** Scores a reading against the forecasts made for it; updates the gate's MAEs and the drift detectors. */
  score(
    values: readonly number[],
    forecast: ArrayLike<number>,
    model: ArrayLike<number>,
    linear: ArrayLike<number>,
  ): { verdict: AnomalyVerdict; pageHinkley: boolean; adwin: boolean } {
    const verdict = this.scorer.score(values, forecast);
    const w = Math.max(GATE_WEIGHT, 1 / ++this.gated);
    let pageHinkley = false, adwin = false;
    for (let i = 0; i < values.length; i++) {
      const sigma = this.spread[i].sigma, r = values[i] - forecast[i];
      if (!verdict.hold) {
        // winsorised like the spreads, so one outlier cannot flip the gate
        const cap = sigma > 0 ? 12 * sigma : Infinity;
        this.modelMae[i] += w * (Math.min(Math.abs(values[i] - model[i]), cap) - this.modelMae[i]);
        this.linearMae[i] += w * (Math.min(Math.abs(values[i] - linear[i]), cap) - this.linearMae[i]);
        this.spread[i].update(r);
      }
      const z = sigma > 0 ? Math.min(Math.abs(r) / sigma, Z_CAP) : 0;
      if (this.pageHinkley[i].update(z)) pageHinkley = true;
      if (this.adwin[i].update(z)) adwin = true;
    }
    return { verdict, pageHinkley, adwin };
  }

  /** Learns the baselines and the linear path from a reading (the linear path frozen while holding). */
  learn(values: readonly number[], hold: boolean): void {
    for (let i = 0; i < values.length; i++) {
      this.persistence[i].learn(values[i]);
      this.ar[i].learn(values[i]);
      this.linear[i].learn(values[i], hold);
    }
  }

  /** After the recurrent model was reset: it must earn the gate again. */
  resetGate(): void {
    this.modelMae.set(this.linearMae);
    this.gated = 0;
  }

  toState(): LiveForecastsState {
    return {
      persistence: this.persistence.map((x) => x.toState()),
      ar: this.ar.map((x) => x.toState()),
      linear: this.linear.map((x) => x.toState()),
      modelMae: Array.from(this.modelMae),
      linearMae: Array.from(this.linearMae),
      gated: this.gated,
      scorer: this.scorer.toState(),
      spread: this.spread.map((x) => x.toState()),
      pageHinkley: this.pageHinkley.map((x) => x.toState()),
      adwin: this.adwin.map((x) => x.toState()),
    };
  }
}
