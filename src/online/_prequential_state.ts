/**
 * The plain-data state of a prequential run: what a checkpoint keeps to resume it exactly.
 *
 * @module
 */
import type { StepRecord } from "../stream/forward_steps.ts";
import type { Matrix } from "../math/matrix.ts";
import type { StreamMetricsState } from "./metrics.ts";
import type { OptimizerState } from "../optim/optimizers.ts";
import type { ParamSet } from "../cells/types.ts";
import type { CellSpec } from "../cells/recurrent_cell.ts";
import type { PrequentialConfig } from "./_prequential_config.ts";
import type { BaselineForecasts, PrequentialBaselinesState } from "./_prequential_baselines.ts";

/** Running totals of a prequential run. */
export interface PrequentialCounters {
  /** Input events seen (steps, labels and skipped events). */
  events: number;
  /** Feature events predicted and learned from (accepted forward steps). */
  steps: number;
  /** Predictions scored against a target. */
  scored: number;
  /** Labels that arrived too late to be learned from (scored all the same). */
  late: number;
  /** Predictions dropped unlabeled because more than `pending` were waiting. */
  expired: number;
  /** Invalid events, and labels for no waiting prediction, counted and skipped. */
  skipped: number;
  /** Accepted parameter updates. */
  updates: number;
  /** Windows rejected for a non-finite loss or gradient. */
  rejected: number;
}

/** A prediction that waits for its label. */
export interface PendingPrediction {
  /** The step's index. */
  index: number;
  /** The step's id, when it was given one. */
  id?: string | number;
  /** The prediction made at the step, n_y×m. */
  prediction: Matrix;
  /** The baselines' forecasts made at the step (absent when the baselines are off). */
  baselines?: BaselineForecasts;
}

/** Everything needed to continue a prequential run exactly; plain data (matrices inside). */
export interface PrequentialSnapshot {
  /** The run's settings. */
  config: PrequentialConfig;
  /** The cell the parameters belong to (absent in snapshots made before cells were named: the vanilla RNN). */
  cell?: CellSpec;
  /** The kernel backend's name (absent in older snapshots: `"js"`). */
  backend?: string;
  /** The parameters (named matrices, checked by the cell). */
  params: ParamSet;
  /** The optimizer's state. */
  optimizer: OptimizerState;
  /** The hidden state after the last step (null before the first). */
  hidden: Matrix | null;
  /** The newest ≤ k2 + labelDelay step records, oldest first (the open TBPTT windows). */
  history: StepRecord<unknown>[];
  /** Predictions waiting for a label, oldest first. */
  pending: PendingPrediction[];
  /** The metrics' state. */
  metrics: StreamMetricsState;
  /** The baselines' state (null when they are off; absent in snapshots made before there were baselines). */
  baselines?: PrequentialBaselinesState | null;
  /** Running totals. */
  counters: PrequentialCounters;
}
