/**
 * The forward stage: samples in, step records (the cached forward state) out.
 *
 * @module
 */
import { Observable } from "../deps.ts";
import type { OperatorFunction } from "../deps.ts";
import type { StepCache } from "../cells/rnn/cell.ts";
import { assertFinite, assertShape, describe, Matrix } from "../math/matrix.ts";
import type { RnnGrads, RnnParams } from "../cells/rnn/params.ts";
import { rnnCell } from "../cells/rnn/rnn_cell.ts";
import { checkBackend, createBackend, DEFAULT_BACKEND } from "../kernels/create_backend.ts";
import { createJsBackend } from "../kernels/js_backend.ts";
import type { BackendChoice } from "../kernels/create_backend.ts";
import type { RecurrentCell } from "../cells/recurrent_cell.ts";
import type { GradSet, Head, Input, ParamSet, Target } from "../cells/types.ts";
import { subscribeLinked } from "./operate.ts";
import { SampleGate } from "./_check_sample.ts";

/**
 * One time step of training data for m parallel streams. The stages keep references to
 * `x` and `y` for up to k2 steps (the backward pass needs them): do not mutate a
 * sample's arrays after pushing it.
 */
export interface Sample {
  /** Input: n_x×m Matrix, or m token indices. */
  x: Input | readonly number[];
  /**
   * Target: n_y×m Matrix (one-hot, soft or raw), or m class indices. May be left out
   * (null) with `allowUnlabeled`, to be set later with {@linkcode setLabel}.
   */
  y?: Target | readonly number[] | null;
  /** Per column, restart that stream's hidden state from zero at this step. */
  reset?: readonly (boolean | number)[] | Uint8Array;
}

/** What the forward stage emits for each accepted sample. */
export interface StepRecord<C = StepCache> {
  /** 0-based index of this step among accepted steps (continues after a resume). */
  index: number;
  /** The cell's forward cache; `cell.stateOf(cache)` is the new state. */
  cache: C;
  /** The canonical target, or null while the label is missing. */
  y: Target | null;
  /** This step's loss, summed over columns (0 while the label is missing). */
  loss: number;
  /** Samples skipped as invalid so far (with `onInvalid: "skip"`). */
  skipped: number;
}

/** Options for {@linkcode forwardSteps}. */
export interface ForwardStepsOptions<
  P extends ParamSet = RnnParams,
  G extends GradSet = RnnGrads,
  C = StepCache,
> {
  /** The live parameters, read at every step (an update stage may change them in place). */
  params: P;
  /** Output head of the default cell. @default {"softmax"} */
  head?: Head;
  /** The cell; overrides `head`. @default {rnnCell({ head })} */
  cell?: RecurrentCell<P, G, C>;
  /** The kernel backend: a name (`"js"`) or an instance. @default {"wasm-f64"} */
  backend?: BackendChoice;
  /** The state before the first step, `sizes.state`×m (it also fixes m; copied per subscription). @default {zeros, m from the first sample} */
  a0?: Matrix;
  /** Index given to the first step (to continue numbering after a resume). @default {0} */
  startIndex?: number;
  /** Skipped count to start from (after a resume). @default {0} */
  startSkipped?: number;
  /** `"error"`: an invalid sample errors the stream, naming the step and the value; `"skip"`: count it and go on. @default {"error"} */
  onInvalid?: "error" | "skip";
  /** Accept samples without `y` (their label may be set later with {@linkcode setLabel}). @default {false} */
  allowUnlabeled?: boolean;
  /** Called with each skipped sample's error (with `onInvalid: "skip"`). A throw here errors the stream. */
  onSkip?: (error: Error, sample: unknown, position: number) => void;
  /**
   * Recycle caches from a pool of this many (0 = allocate a fresh cache per step).
   * An emitted record then stays valid for `pool − 1` further steps.
   * @default {0}
   */
  pool?: number;
}

/**
 * The forward stage of training: runs the cell on each sample with the hidden state
 * carried from step to step (per subscription), and emits the step's cache, target
 * and loss. Invalid samples error the stream (naming the step index and the value)
 * or are counted and skipped, by `onInvalid`.
 *
 * It keeps RxJS's contract: the source is subscribed through a linked inner observer,
 * so `take(n)` after a synchronous endless source pulls exactly n samples; an error
 * (invalid sample, a throwing `onSkip` or cell) unsubscribes the source at once and the
 * state does not move past the failing sample. Samples are read, never changed (the
 * records keep references to their `x` and `y`). The cache pool is released on teardown.
 *
 * @typeParam P Parameters of the cell.
 * @typeParam G Gradients of the cell.
 * @typeParam C The cell's step cache.
 * @param options The live parameters and the stage's policy.
 * @returns An operator from samples to step records.
 * @throws {RangeError} When an option is out of range (at creation).
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { from } from "rxjs";
 * import { forwardSteps, initParams } from "../../mod.ts";
 * const params = initParams({ nx: 3, na: 4, ny: 3 }, { seed: 1 });
 * const losses: number[] = [];
 * from([{ x: [0], y: [1] }, { x: [1], y: [2] }]).pipe(forwardSteps({ params }))
 *   .subscribe((r) => losses.push(r.loss));
 * assert(losses.length === 2);
 * ```
 */
export function forwardSteps<P extends ParamSet = RnnParams, G extends GradSet = RnnGrads, C = StepCache>(
  options: ForwardStepsOptions<P, G, C>,
): OperatorFunction<Sample, StepRecord<C>> {
  const {
    params,
    head = "softmax",
    onInvalid = "error",
    pool = 0,
    startIndex = 0,
    startSkipped = 0,
    allowUnlabeled = false,
  } = options;
  const cell = options.cell ?? (rnnCell({ head }) as unknown as RecurrentCell<P, G, C>);
  const { state: na } = cell.sizes(params);
  const backend = options.backend ?? DEFAULT_BACKEND;
  checkBackend(backend, "forwardSteps()");
  if (onInvalid !== "error" && onInvalid !== "skip") {
    throw new RangeError(
      `Cannot create forwardSteps() as 'onInvalid' must be "error" or "skip": current value is ${onInvalid}`,
    );
  }
  if (!Number.isInteger(pool) || pool < 0 || pool === 1) {
    throw new RangeError(
      `Cannot create forwardSteps() as 'pool' must be 0 or an integer >= 2: current value is ${pool}`,
    );
  }
  for (const [name, v] of [["startIndex", startIndex], ["startSkipped", startSkipped]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new RangeError(
        `Cannot create forwardSteps() as '${name}' must be an integer >= 0: current value is ${v}`,
      );
    }
  }
  if (options.onSkip !== undefined && typeof options.onSkip !== "function") {
    throw new TypeError(
      `Cannot create forwardSteps() as 'onSkip' must be a function: got ${describe(options.onSkip)}`,
    );
  }
  if (options.a0 !== undefined) {
    assertShape("a0", options.a0, na, options.a0?.cols);
    assertFinite("a0", options.a0);
  }
  return (source) =>
    new Observable<StepRecord<C>>((subscriber) => {
      // per-subscription state: state, counters, cache pool
      let state: Matrix | null = options.a0?.clone() ?? null;
      // samples received so far, valid or not, counted across resumes (for error messages)
      const gate = new SampleGate(cell, params, {
        onInvalid,
        onSkip: options.onSkip,
        allowUnlabeled,
        startReceived: startIndex + startSkipped,
        startSkipped,
      });
      let index = startIndex;
      let caches: C[] = [];
      let next = 0;
      const runtime = cell.bind(createBackend(backend, "forwardSteps()"));
      subscriber.add(() => {
        // release the pool and the state
        caches = [];
        state = null;
      });
      subscribeLinked(source, subscriber, {
        next(sample) {
          // an invalid sample throws (errors the stream) or is counted and skipped; a throwing onSkip errors the stream
          const checked = gate.admit(sample, state?.cols ?? null);
          if (checked === null) return;
          const { x, y, reset } = checked;
          const prev = state ?? new Matrix(na, checked.m);
          // a cell that throws errors the stream, and the state stays at the previous step
          let cache: C;
          if (pool === 0) {
            cache = runtime.allocCache(params, prev.cols);
          } else {
            if (caches.length < pool) caches.push(runtime.allocCache(params, prev.cols));
            cache = caches[next];
          }
          runtime.forward(params, x, prev, reset, cache);
          const loss = y === null ? 0 : runtime.loss(cache, y);
          if (pool !== 0) next = (next + 1) % pool;
          state = cell.stateOf(cache);
          subscriber.next({ index: index++, cache, y, loss, skipped: gate.skipped });
        },
      });
    });
}

/** Options for {@linkcode setLabel}. */
export interface SetLabelOptions<
  P extends ParamSet = RnnParams,
  G extends GradSet = RnnGrads,
  C = StepCache,
> {
  /** The parameters (for the target's sizes). */
  params: P;
  /** Output head of the default cell. @default {"softmax"} */
  head?: Head;
  /** The cell; overrides `head`. @default {rnnCell(head)} */
  cell?: RecurrentCell<P, G, C>;
}

/**
 * Sets the late label of a step record emitted without one (`allowUnlabeled`), and its
 * loss. A {@linkcode tbptt} stage with `labelDelay` counts it if it arrives in time.
 *
 * @typeParam P Parameters of the cell.
 * @typeParam G Gradients of the cell.
 * @typeParam C The cell's step cache.
 * @param record The step record (changed in place).
 * @param y The target, as in {@linkcode Sample}.
 * @param options The parameters and head.
 * @returns The step's loss.
 * @throws {RangeError} When the target does not fit the record's shapes.
 * @throws {TypeError} When the target has the wrong type.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { from } from "rxjs";
 * import { forwardSteps, initParams, setLabel } from "../../mod.ts";
 * import type { StepRecord } from "../../mod.ts";
 * const params = initParams({ nx: 3, na: 4, ny: 3 }, { seed: 1 });
 * let record: StepRecord | undefined;
 * from([{ x: [0] }]).pipe(forwardSteps({ params, allowUnlabeled: true })).subscribe((r) => record = r);
 * assert(record!.y === null && setLabel(record!, [2], { params }) > 0);
 * ```
 */
export function setLabel<P extends ParamSet = RnnParams, G extends GradSet = RnnGrads, C = StepCache>(
  record: StepRecord<C>,
  y: Target | readonly number[],
  options: SetLabelOptions<P, G, C>,
): number {
  const { params, head = "softmax" } = options;
  const cell = options.cell ?? (rnnCell({ head }) as unknown as RecurrentCell<P, G, C>);
  const target = cell.target(y, params, cell.stateOf(record.cache).cols);
  record.y = target;
  record.loss = lossRuntime(cell).loss(record.cache, target);
  return record.loss;
}

/** One runtime per cell for {@linkcode setLabel}'s loss (no scratch involved): not a new one per late label. */
const LOSS_RUNTIMES = new WeakMap<object, { loss(cache: unknown, y: Target): number }>();

function lossRuntime<P extends ParamSet, G extends GradSet, C>(
  cell: RecurrentCell<P, G, C>,
): { loss(cache: C, y: Target): number } {
  let runtime = LOSS_RUNTIMES.get(cell);
  if (runtime === undefined) LOSS_RUNTIMES.set(cell, runtime = cell.bind(createJsBackend()) as never);
  return runtime as { loss(cache: C, y: Target): number };
}
