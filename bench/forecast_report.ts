/**
 * Online forecasting and anomaly flags at DEFAULT settings on two labelled sensor feeds:
 * the demo feed (tools/_sensor_data.ts, single-hop network) and a second one it was never
 * tuned on (tools/_multihop_sensor_data.ts, multi-hop network).
 *
 *     deno task bench:forecast
 *
 * Per mote and field: persistence, OnlineAR and ResidualForecaster predict each reading
 * before learning it (prequential); ForecastScore keeps their MAE; AnomalyScorer flags
 * readings from the ResidualForecaster's residuals (flagged readings are held: the
 * forecaster does not learn from them); PageHinkley and Adwin watch each field's
 * normalised residual stream (|r| / spread, capped at 50). Settings: every component at
 * its defaults. The AnomalyScorer settings were chosen on the multi-hop feed only: the
 * hold threshold (12) first; then onset and settle on a grid (onset 20–500, settle 0–60):
 * the best multi-hop F1 (0.930) is reached for onset 100–300 at any settle, and the
 * smallest such onset (100, the most sensitive) was taken, with the settle (10) that is
 * best at the grid's largest onset. The demo feed's figures are held-out.
 *
 * @module
 */
import { loadSensorReadings } from "../tools/_sensor_data.ts";
import type { SensorReading } from "../tools/_sensor_data.ts";
import { loadMultihopReadings } from "../tools/_multihop_sensor_data.ts";
import { LiveLearner } from "../src/online/live_learner.ts";
import {
  Adwin,
  AnomalyScorer,
  ForecastScore,
  OnlineAR,
  PageHinkley,
  Persistence,
  ResidualForecaster,
  RobustSpread,
} from "../src/online/forecast/mod.ts";

const FIELDS = ["humidity", "temperature"] as const;

interface Series {
  persistence: Persistence[];
  ar: OnlineAR[];
  model: ResidualForecaster[];
  scorer: AnomalyScorer;
  spread: RobustSpread[];
  ph: PageHinkley[];
  adwin: Adwin[];
}

interface FeedResult {
  score: ForecastScore;
  tp: number;
  fp: number;
  fn: number;
  ph: number;
  adwin: number;
}

function replay(readings: readonly SensorReading[]): FeedResult {
  const series = new Map<number, Series>();
  const score = new ForecastScore(FIELDS);
  let tp = 0, fp = 0, fn = 0;
  const values = [0, 0], forecasts = [0, 0];
  for (const r of readings) {
    let s = series.get(r.mote_id);
    if (s === undefined) {
      s = {
        persistence: FIELDS.map(() => new Persistence()),
        ar: FIELDS.map(() => new OnlineAR()),
        model: FIELDS.map(() => new ResidualForecaster()),
        scorer: new AnomalyScorer(FIELDS.length),
        spread: FIELDS.map(() => new RobustSpread()),
        ph: FIELDS.map(() => new PageHinkley()),
        adwin: FIELDS.map(() => new Adwin()),
      };
      series.set(r.mote_id, s);
    }
    values[0] = r.humidity;
    values[1] = r.temperature;
    let hold = false;
    if (s.persistence[0].count > 0) {
      for (let i = 0; i < FIELDS.length; i++) {
        forecasts[i] = s.model[i].predict();
        score.add(i, values[i], {
          model: forecasts[i],
          persistence: s.persistence[i].predict(),
          ar: s.ar[i].predict(),
        });
      }
      const verdict = s.scorer.score(values, forecasts);
      hold = verdict.hold;
      if (r.label === 1) verdict.flagged ? tp++ : fn++;
      else if (verdict.flagged) fp++;
      for (let i = 0; i < FIELDS.length; i++) {
        const residual = values[i] - forecasts[i], sigma = s.spread[i].sigma;
        const z = sigma > 0 ? Math.min(Math.abs(residual) / sigma, 50) : 0;
        if (!hold) s.spread[i].update(residual);
        s.ph[i].update(z);
        s.adwin[i].update(z);
      }
    }
    for (let i = 0; i < FIELDS.length; i++) {
      s.persistence[i].learn(values[i]);
      s.ar[i].learn(values[i]);
      s.model[i].learn(values[i], hold);
    }
  }
  let ph = 0, adwin = 0;
  for (const s of series.values()) {
    for (let i = 0; i < FIELDS.length; i++) {
      ph += s.ph[i].drifts;
      adwin += s.adwin[i].drifts;
    }
  }
  return { score, tp, fp, fn, ph, adwin };
}

const feeds: [string, () => Promise<SensorReading[]>][] = [
  ["demo (single-hop, held-out)", loadSensorReadings],
  ["multi-hop (flag settings chosen here)", loadMultihopReadings],
];
const f4 = (x: number) => x.toFixed(4);
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "–");
console.log("Online one-step forecasts and anomaly flags, every component at its defaults\n");
console.log(
  "| feed | method | MAE humidity | MAE temperature | skill humidity | skill temperature | precision | recall | F1 |",
);
console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
const drift: string[] = [];
for (const [name, load] of feeds) {
  const { score, tp, fp, fn, ph, adwin } = replay(await load());
  const [h, t] = score.summary();
  const precision = tp / (tp + fp),
    recall = tp / (tp + fn),
    f1 = 2 * precision * recall / (precision + recall);
  console.log(
    `| ${name} | persistence | ${f4(h.mae.persistence)} | ${f4(t.mae.persistence)} | 1.000 | 1.000 | | | |`,
  );
  console.log(
    `| ${name} | OnlineAR | ${f4(h.mae.ar)} | ${f4(t.mae.ar)} | ${f3(h.arSkill)} | ${f3(t.arSkill)} | | | |`,
  );
  console.log(
    `| ${name} | ResidualForecaster + AnomalyScorer | ${f4(h.mae.model)} | ${f4(t.mae.model)} | ${
      f3(h.skill)
    } | ${f3(t.skill)} | ${f3(precision)} | ${f3(recall)} | ${f3(f1)} |`,
  );
  drift.push(`${name}: PageHinkley ${ph}, Adwin ${adwin} drift events (4 motes × 2 fields)`);
}
console.log(
  "\nskill = MAE ÷ persistence MAE (below 1 beats persistence); flags counted per reading against the labels",
);
for (const line of drift) console.log(line);

// the live learner (recurrent model on the change + gated linear path + baselines + scorer) at its defaults
console.log(
  "\nLiveLearner (main.ts live's model) at its defaults, and with hold 0 (learns from every reading):\n",
);
console.log(
  "| feed | hold | MAE model h / t | MAE persistence h / t | MAE AR h / t | skill h / t | P | R | F1 |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const [name, load] of feeds) {
  const readings = await load();
  for (const hold of [360, 0]) {
    const learner = new LiveLearner({ features: FIELDS, hold });
    for (const r of readings) learner.observe(String(r.mote_id), [r.humidity, r.temperature], r.label);
    const [h, t] = learner.metrics().baselines;
    const { tp, fp, fn } = learner.confusion;
    const precision = tp / (tp + fp), recall = tp / (tp + fn);
    const f1 = 2 * precision * recall / (precision + recall);
    console.log(
      `| ${name} | ${hold} | ${f4(h.mae.model)} / ${f4(t.mae.model)} | ${f4(h.mae.persistence)} / ${
        f4(t.mae.persistence)
      } | ${f4(h.mae.ar)} / ${f4(t.mae.ar)} | ${f3(h.skill)} / ${f3(t.skill)} | ${f3(precision)} | ${
        f3(recall)
      } | ${f3(f1)} |`,
    );
    learner.close();
  }
}
