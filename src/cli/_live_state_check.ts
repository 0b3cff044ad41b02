/**
 * Structural checks of a live checkpoint's learner state and counters, before anything is
 * restored: every field the learner reads has the right kind and bounds, each series'
 * parameters are the cell's with the run's sizes, and the counters agree with the learner.
 *
 * @module
 */
import { Matrix } from "../math/matrix.ts";
import type { RecurrentCell } from "../cells/recurrent_cell.ts";
import type { ParamSet } from "../cells/types.ts";

const COUNTERS = ["events", "position", "skipped", "dropped", "lag", "reconnects", "flags"] as const;

/** Throws a TypeError/RangeError naming the first field that is wrong. */
export function checkLiveState(
  learner: unknown,
  counters: unknown,
  cell: RecurrentCell,
  sizes: { features: number; hidden: number },
): void {
  const c = object(counters, "counters");
  for (const key of COUNTERS) count(c[key], `counters.${key}`);
  if (typeof c.lastSeq !== "number" || !Number.isFinite(c.lastSeq)) {
    throw new RangeError(`'counters.lastSeq' must be a number: current value is ${String(c.lastSeq)}`);
  }
  const l = object(learner, "learner");
  const observed = count(l.observed, "learner.observed");
  if (observed !== c.events) {
    throw new RangeError(`'learner.observed' is ${observed} but 'counters.events' is ${String(c.events)}`);
  }
  const series = object(l.series, "learner.series");
  if (observed > 0 && Object.keys(series).length === 0) {
    throw new RangeError(`the learner holds no series but has observed ${observed} readings`);
  }
  if (!Array.isArray(l.perFeature) || l.perFeature.length !== sizes.features) {
    throw new RangeError(`'learner.perFeature' must hold one state per feature (${sizes.features})`);
  }
  l.perFeature.forEach((s, i) => object(s, `learner.perFeature[${i}]`));
  object(l.normalised, "learner.normalised");
  object(l.baselines, "learner.baselines");
  object(l.drifts, "learner.drifts");
  const confusion = object(l.confusion, "learner.confusion");
  for (const key of ["tp", "fp", "fn", "tn"]) count(confusion[key], `learner.confusion.${key}`);
  for (const [key, value] of Object.entries(series)) {
    const what = `series ${JSON.stringify(key)}`;
    if (value === null || typeof value !== "object") throw new TypeError(`${what} must be an object`);
    const s = value as Record<string, unknown>;
    const preq = object(s.preq, `${what}.preq`);
    object(preq.params, `${what}.preq.params`);
    let have;
    try {
      have = cell.sizes(preq.params as ParamSet);
    } catch (error) {
      throw new TypeError(`${what}: ${(error as Error).message}`);
    }
    if (have.nx !== sizes.features || have.ny !== sizes.features || have.na !== sizes.hidden) {
      throw new RangeError(
        `${what} has a ${have.na}x${have.nx}x${have.ny} model, expected ${sizes.hidden}x${sizes.features}x${sizes.features}`,
      );
    }
    const optimizer = object(preq.optimizer, `${what}.preq.optimizer`);
    count(optimizer.t, `${what}.preq.optimizer.t`);
    if (preq.hidden !== null && !(preq.hidden instanceof Matrix)) {
      throw new TypeError(`'${what}.preq.hidden' must be a Matrix or null`);
    }
    for (const list of ["history", "pending"]) {
      if (!Array.isArray(preq[list])) throw new TypeError(`'${what}.preq.${list}' must be an array`);
    }
    object(preq.metrics, `${what}.preq.metrics`);
    const pc = object(preq.counters, `${what}.preq.counters`);
    for (const [k, v] of Object.entries(pc)) count(v, `${what}.preq.counters.${k}`);
    object(s.norm, `${what}.norm`);
    object(s.scalar, `${what}.scalar`);
    if (s.prevIndex !== null) count(s.prevIndex, `${what}.prevIndex`);
    if (
      s.previous !== null &&
      (!Array.isArray(s.previous) || s.previous.length !== sizes.features ||
        !s.previous.every((v) => typeof v === "number" && Number.isFinite(v)))
    ) {
      throw new TypeError(`'${what}.previous' must be null or ${sizes.features} finite numbers`);
    }
    if (
      s.forecast !== null &&
      (!Array.isArray(s.forecast) || s.forecast.length !== sizes.features ||
        !s.forecast.every((v) => typeof v === "number"))
    ) {
      throw new TypeError(`'${what}.forecast' must be null or ${sizes.features} numbers`);
    }
  }
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`'${what}' must be an object`);
  }
  return value as Record<string, unknown>;
}

function count(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new RangeError(`'${what}' must be an integer >= 0: current value is ${String(value)}`);
  }
  return value;
}
