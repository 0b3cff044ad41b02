/**
 * The live trainer's status line and final report.
 *
 * @module
 */
import type { LiveLearner } from "../online/live_learner.ts";

/** The live trainer's running totals (kept in its checkpoints). */
export interface LiveCounters {
  /** Readings learned from. */
  events: number;
  /** Records that passed the queue (learned or dropped): where a resumed file continues. */
  position: number;
  /** The sequence number of the last reading learned from (-1 when none or no `--seq`). */
  lastSeq: number;
  /** Invalid lines counted and skipped. */
  skipped: number;
  /** Readings dropped by the backpressure policy. */
  dropped: number;
  /** Readings waiting in the queue. */
  lag: number;
  /** Reconnections of the feed. */
  reconnects: number;
  /** Readings flagged as anomalies. */
  flags: number;
}

const fix = (v: number | undefined, digits = 3) =>
  v === undefined || Number.isNaN(v) ? "-" : v.toFixed(digits);

/** One status line: `events=… skipped=… dropped=… lag=… reconnects=… flags=… mae=f:v,… rmse_z=… rate=…/s heap=…MB`. */
export function formatStatus(
  c: LiveCounters,
  learner: LiveLearner,
  seconds: number,
  startEvents: number,
): string {
  const m = learner.metrics();
  const names = learner.features;
  const mae = m.perFeature.map((f, i) => `${names[i]}:${fix(f.window.mae)}`).join(",");
  const rate = seconds > 0 ? (c.events - startEvents) / seconds : 0;
  return `events=${c.events} skipped=${c.skipped} dropped=${c.dropped} lag=${c.lag} reconnects=${c.reconnects} ` +
    `flags=${c.flags} mae=${mae} rmse_z=${fix(m.normalised.rmse)} rate=${rate.toFixed(0)}/s ` +
    `heap=${(Deno.memoryUsage().heapUsed / 2 ** 20).toFixed(0)}MB`;
}

/** The final report's lines. */
export function formatReport(
  c: LiveCounters,
  learner: LiveLearner,
  seconds: number,
  startEvents: number,
): string[] {
  const m = learner.metrics();
  const { tp, fp, fn, tn } = learner.confusion;
  const precision = tp + fp > 0 ? tp / (tp + fp) : NaN, recall = tp + fn > 0 ? tp / (tp + fn) : NaN;
  const lines = [
    `done: ${
      formatStatus(c, learner, seconds, startEvents)
    } series=${learner.keys.length} updates=${learner.updates} ` +
    `seconds=${seconds.toFixed(1)}`,
    `forecast error (original units), rolling over the last ${learner.window} forecasts | since start:`,
  ];
  learner.features.forEach((name, i) => {
    const f = m.perFeature[i];
    lines.push(
      `  ${name}: MAE ${fix(f.window.mae, 4)} RMSE ${fix(f.window.rmse, 4)} | MAE ${
        fix(f.total.mae, 4)
      } RMSE ${fix(f.total.rmse, 4)} (${f.total.events} forecasts)`,
    );
  });
  lines.push(
    `baselines (since start, original units): MAE model | persistence | online AR, skill = model ÷ persistence:`,
  );
  for (const b of m.baselines) {
    lines.push(
      `  ${b.field}: MAE ${fix(b.mae.model, 4)} | ${fix(b.mae.persistence, 4)} | ${fix(b.mae.ar, 4)} skill ${
        fix(b.skill)
      } (AR ${fix(b.arSkill)})`,
    );
  }
  const d = learner.drifts;
  lines.push(
    `drift events of the residuals: Page-Hinkley ${d.pageHinkley} ADWIN ${d.adwin} resets ${d.resets}`,
  );
  lines.push(
    `anomaly flags vs labels: precision ${fix(precision)} recall ${
      fix(recall)
    } (tp=${tp} fp=${fp} fn=${fn} tn=${tn})`,
  );
  return lines;
}
