/**
 * `train()`: the composed pipeline — forward steps, TBPTT windows, updates — as one
 * operator from samples to training events, with state per subscription and
 * snapshots that resume a run exactly.
 *
 * @module
 */
import { Observable } from "../deps.ts";
import type { OperatorFunction } from "../deps.ts";
import { applyUpdates } from "./apply_updates.ts";
import type { ScheduleInfo } from "./apply_updates.ts";
import type { ClipOptions } from "../optim/clip.ts";
import { forwardSteps } from "./forward_steps.ts";
import type { Sample, StepRecord } from "./forward_steps.ts";
import { createOptimizer } from "../optim/optimizers.ts";
import type { OptimizerOptions, OptimizerState } from "../optim/optimizers.ts";
import { cloneParams } from "../cells/rnn/params.ts";
import { initialParams } from "../cells/rnn/initial_params.ts";
import type { RnnParams, RnnSizes } from "../cells/rnn/params.ts";
import type { Head, StepCache, Target } from "../cells/rnn/_rnn_math.ts";
import { Matrix } from "../math/matrix.ts";
import { tbptt } from "./tbptt.ts";

/** Running totals of a training run. */
export interface TrainCounters {
  /** Samples trained on (accepted forward steps). */
  steps: number;
  /** Windows closed (accepted + rejected). */
  windows: number;
  /** Invalid samples skipped. */
  skipped: number;
  /** Windows rejected because their loss or gradients were not finite. */
  rejected: number;
}

/** The fixed settings of a run, kept in its snapshots. */
export interface TrainConfig {
  /** Window period. */
  k1: number;
  /** Backprop depth. */
  k2: number;
  /** Output head. */
  head: Head;
  /** Loss reduction. */
  reduction: "sum" | "mean";
  /** Optimizer with every default filled in. */
  optimizer: Required<OptimizerOptions>;
  /** Gradient clipping. */
  clip: ClipOptions;
}

/** Everything needed to continue a run exactly; plain data (matrices and typed arrays inside). */
export interface TrainerSnapshot {
  /** The run's settings. */
  config: TrainConfig;
  /** The parameters. */
  params: RnnParams;
  /** The optimizer's state. */
  optimizer: OptimizerState;
  /** The hidden state after the last step, n_a×m. */
  hidden: Matrix;
  /** The newest ≤ k2 step records, oldest first: the next window backpropagates into them. */
  history: StepRecord[];
  /** Running totals. */
  counters: TrainCounters;
  /** The smoothed mean loss, or null before the first window. */
  smoothLoss: number | null;
}

/** Options for {@linkcode train}. */
export interface TrainOptions {
  /** Initial parameters (copied per subscription). One of `params`, `sizes` or `resume` is required. */
  params?: RnnParams;
  /** Sizes of fresh parameters, initialised with `init` and `seed`. */
  sizes?: RnnSizes;
  /** Initialisation of fresh parameters. @default {"xavier"} */
  init?: "xavier" | "randn";
  /** Seed of fresh parameters. @default {0} */
  seed?: number;
  /** The hidden state before the first step, n_a×m (ignored with `resume`). @default {zeros} */
  a0?: Matrix;
  /** A window closes every k1 steps. @default {resume's, else 25} */
  k1?: number;
  /** Backprop depth in steps (>= k1). @default {k1} */
  k2?: number;
  /** The optimizer. @default {{ type: "adam", learningRate: 0.002 }} */
  optimizer?: OptimizerOptions;
  /** Gradient clipping. @default {{ norm: 5 }} */
  clip?: ClipOptions;
  /** Loss reduction over steps and columns. @default {"mean"} */
  reduction?: "sum" | "mean";
  /** Output head. @default {"softmax"} */
  head?: Head;
  /** Invalid samples: error the stream or count and skip them. @default {"error"} */
  onInvalid?: "error" | "skip";
  /** Called with each skipped sample's error. */
  onSkip?: (error: Error, sample: unknown, index: number) => void;
  /** Learning rate per update. */
  schedule?: (info: ScheduleInfo) => number;
  /** Weight of the past in the smoothed loss. @default {0.99} */
  smoothing?: number;
  /** A snapshot to continue from exactly; its config wins over the options above. */
  resume?: TrainerSnapshot;
}

/** One training event, emitted once per window, right after its update. */
export interface TrainEvent {
  /** Steps trained so far. */
  step: number;
  /** Windows closed so far. */
  window: number;
  /** The window's summed loss (k1 steps × m columns). */
  loss: number;
  /** The window's loss per step and column. */
  meanLoss: number;
  /** Exponential average of `meanLoss`. */
  smoothLoss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** The learning rate used (0 for a rejected window). */
  learningRate: number;
  /** Steps per second since the subscription started. */
  stepsPerSecond: number;
  /** False when the window was rejected (non-finite loss or gradients). */
  accepted: boolean;
  /** Running totals. */
  counters: TrainCounters;
  /** The live parameters (later windows change them in place: clone to keep). */
  params: RnnParams;
  /**
   * A deep copy of the whole trainer state at this event. Call it while handling the event:
   * once the next sample arrives (or the stream ends) it throws instead of returning a
   * state that would not resume exactly.
   */
  snapshot(): TrainerSnapshot;
}

/**
 * Trains a vanilla RNN with TBPTT(k1, k2) on a stream of samples: the composition
 * `forwardSteps → tbptt → applyUpdates`, with parameters, hidden state and optimizer
 * moments per subscription. Memory is O(k2) for any stream length.
 *
 * @param options Model, truncation, optimizer and policies.
 * @returns An operator from samples to training events (one per window).
 * @throws {RangeError} When an option is out of range (at creation).
 * @throws {TypeError} When neither `params`, `sizes` nor `resume` is given.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { from } from "rxjs";
 * import { train } from "../../mod.ts";
 * const text = "abcabcabcabcabcabc";
 * const samples = [...text].slice(0, -1).map((c, i) => ({
 *   x: [c.charCodeAt(0) - 97],
 *   y: [text.charCodeAt(i + 1) - 97],
 * }));
 * const losses: number[] = [];
 * from(samples).pipe(train({ sizes: { nx: 3, na: 8, ny: 3 }, k1: 4, k2: 8 }))
 *   .subscribe((e) => losses.push(e.meanLoss));
 * assert(losses.length === 4);
 * ```
 */
export function train(options: TrainOptions): OperatorFunction<Sample, TrainEvent> {
  const { resume, smoothing = 0.99, onInvalid = "error", onSkip, schedule } = options;
  const config = resolveConfig(options);
  if (!(smoothing >= 0 && smoothing < 1)) {
    throw new RangeError(
      `Cannot create train() as 'smoothing' must be in [0, 1): current value is ${smoothing}`,
    );
  }
  if (resume !== undefined && !(resume.smoothLoss === null || Number.isFinite(resume.smoothLoss))) {
    throw new RangeError(
      `Cannot resume train() as the snapshot's 'smoothLoss' must be null or finite: current value is ${resume.smoothLoss}`,
    );
  }
  const initial = initialParams("train()", options);
  const { k1, k2, head, reduction, clip } = config;
  const counters0: TrainCounters = resume?.counters ?? { steps: 0, windows: 0, skipped: 0, rejected: 0 };
  // validate stage options now, not at subscription
  const a0 = resume?.hidden ?? options.a0;
  forwardSteps({ params: initial, head, onInvalid, a0 });
  tbptt({ params: initial, k1, k2, head, history: resume?.history });
  const updates = {
    optimizer: config.optimizer,
    optimizerState: resume?.optimizer,
    clip,
    reduction,
    schedule,
    start: { updates: counters0.windows - counters0.rejected, rejected: counters0.rejected },
  };
  applyUpdates({ params: initial, ...updates });
  return (source) =>
    new Observable<TrainEvent>((subscriber) => {
      // per-subscription state: parameters, counters, smoothed loss, clock
      const params = cloneParams(initial);
      const history = resume?.history.map(cloneRecord);
      let smoothLoss = resume?.smoothLoss ?? null;
      let windows = counters0.windows;
      const started = performance.now();
      let stepsHere = 0;
      return source.pipe(
        forwardSteps({
          params,
          head,
          onInvalid,
          onSkip,
          a0,
          startIndex: counters0.steps,
          startSkipped: counters0.skipped,
          pool: k2 + 1,
        }),
        tbptt({ params, k1, k2, head, history }),
        applyUpdates({ params, ...updates }),
      ).subscribe({
        next(u) {
          const w = u.window;
          windows++;
          stepsHere += w.steps;
          const meanLoss = w.loss / (Math.max(1, w.labeled) * w.columns);
          if (u.accepted) {
            smoothLoss = smoothLoss === null ? meanLoss : smoothing * smoothLoss + (1 - smoothing) * meanLoss;
          }
          const counters = { steps: w.t, windows, skipped: w.skipped, rejected: u.rejected };
          const elapsed = (performance.now() - started) / 1000;
          const smooth = smoothLoss ?? NaN;
          subscriber.next({
            step: w.t,
            window: windows,
            loss: w.loss,
            meanLoss,
            smoothLoss: smooth,
            gradNorm: u.gradNorm,
            learningRate: u.learningRate,
            stepsPerSecond: elapsed > 0 ? stepsHere / elapsed : 0,
            accepted: u.accepted,
            counters,
            params,
            snapshot: () => {
              // history() first: once the stream has moved on it throws, naming why
              const history = w.history().map(cloneRecord);
              return {
                config: structuredClone(config),
                params: cloneParams(params),
                optimizer: u.optimizerState(),
                hidden: w.aLast.clone(),
                history,
                counters: { ...counters },
                smoothLoss: smoothLoss,
              };
            },
          });
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}

function resolveConfig(options: TrainOptions): TrainConfig {
  const fromResume = options.resume?.config;
  const pick = <K extends keyof TrainConfig>(key: K, fallback: TrainConfig[K]): TrainConfig[K] => {
    const given = options[key as keyof TrainOptions] as TrainConfig[K] | undefined;
    if (fromResume !== undefined) {
      if (given !== undefined && JSON.stringify(given) !== JSON.stringify(fromResume[key])) {
        throw new RangeError(
          `Cannot resume train() with '${key}' ${JSON.stringify(given)}: the snapshot was made with ${
            JSON.stringify(fromResume[key])
          }`,
        );
      }
      return fromResume[key];
    }
    return given ?? fallback;
  };
  const k1 = pick("k1", 25);
  if (!Number.isInteger(k1) || k1 < 1) {
    throw new RangeError(`Cannot create train() as 'k1' must be an integer >= 1: current value is ${k1}`);
  }
  const k2 = pick("k2", k1);
  if (!Number.isInteger(k2) || k2 < k1) {
    throw new RangeError(`Cannot create train() as 'k2' must be an integer >= k1: current value is ${k2}`);
  }
  const head = pick("head", "softmax");
  if (head !== "softmax" && head !== "linear") {
    throw new RangeError(
      `Cannot create train() as 'head' must be "softmax" or "linear": current value is ${head}`,
    );
  }
  const optimizer = fromResume?.optimizer ?? createOptimizer(options.optimizer ?? { type: "adam" }).options;
  if (fromResume !== undefined && options.optimizer !== undefined) {
    const given = createOptimizer(options.optimizer).options;
    if (JSON.stringify(given) !== JSON.stringify(fromResume.optimizer)) {
      throw new RangeError(
        `Cannot resume train() with optimizer ${JSON.stringify(given)}: the snapshot was made with ${
          JSON.stringify(fromResume.optimizer)
        }`,
      );
    }
  }
  return {
    k1,
    k2,
    head,
    reduction: pick("reduction", "mean"),
    optimizer,
    clip: pick("clip", { norm: 5 }),
  };
}

/** A deep copy of a step record (its cache and target). */
export function cloneRecord(r: StepRecord): StepRecord {
  const c = r.cache;
  const cache: StepCache = {
    x: c.x instanceof Matrix ? c.x.clone() : c.x.slice(),
    aPrev: c.aPrev.clone(),
    z1: c.z1.clone(),
    a: c.a.clone(),
    z2: c.z2.clone(),
    yHat: c.yHat.clone(),
    logNorm: c.logNorm.slice(),
    reset: c.reset === null ? null : c.reset.slice(),
  };
  const y: Target | null = r.y === null ? null : r.y instanceof Matrix ? r.y.clone() : r.y.slice();
  return { index: r.index, cache, y, loss: r.loss, skipped: r.skipped };
}
