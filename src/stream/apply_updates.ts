/**
 * The update stage: clip, check and apply each window's gradients with an optimizer.
 *
 * @module
 */
import { Observable } from "../deps.ts";
import type { OperatorFunction } from "../deps.ts";
import { checkClip, clipGradients, globalNorm } from "../optim/clip.ts";
import type { ClipOptions } from "../optim/clip.ts";
import { createOptimizer } from "../optim/optimizers.ts";
import type { Optimizer, OptimizerOptions, OptimizerState } from "../optim/optimizers.ts";
import type { StepCache } from "../cells/rnn/cell.ts";
import type { RnnGrads, RnnParams } from "../cells/rnn/params.ts";
import { rnnCell } from "../cells/rnn/rnn_cell.ts";
import { checkBackend, createBackend, DEFAULT_BACKEND } from "../kernels/create_backend.ts";
import type { BackendChoice } from "../kernels/create_backend.ts";
import type { ParamSlot, RecurrentCell } from "../cells/recurrent_cell.ts";
import type { GradSet, ParamSet } from "../cells/types.ts";
import type { TbpttWindow } from "./tbptt.ts";
import { subscribeLinked } from "./operate.ts";

/** What the schedule hook is told before each update. */
export interface ScheduleInfo {
  /** 0-based number of this update among accepted ones. */
  update: number;
  /** Steps seen so far. */
  step: number;
  /** The optimizer's base learning rate. */
  learningRate: number;
}

/** Options for {@linkcode applyUpdates}. */
export interface ApplyUpdatesOptions<
  P extends ParamSet = RnnParams,
  G extends GradSet = RnnGrads,
  C = StepCache,
> {
  /** The live parameters, updated in place. */
  params: P;
  /** The optimizer. @default {{ type: "adam", learningRate: 0.002 }} */
  optimizer?: OptimizerOptions;
  /** Optimizer state to continue from (a resume); its buffers must fit the parameters. */
  optimizerState?: OptimizerState;
  /** Gradient clipping, after the loss reduction. @default {{ norm: 5 }} */
  clip?: ClipOptions;
  /**
   * `"sum"`: gradients of the summed window loss (the document's, and the fixtures');
   * `"mean"`: divided by (labeled steps)·m — k1·m when every step has its label — so step
   * sizes do not grow with the window or the batch.
   * @default {"mean"}
   */
  reduction?: "sum" | "mean";
  /** Learning rate per update; a throw or a non-finite or negative result errors the stream. */
  schedule?: (info: ScheduleInfo) => number;
  /** The cell (for its parameter/gradient pairs). @default {rnnCell()} */
  cell?: RecurrentCell<P, G, C>;
  /** The kernel backend the optimizer's updates run on: a name (`"js"`) or an instance. @default {"wasm-f64"} */
  backend?: BackendChoice;
  /** Accepted/rejected updates to start counting from (after a resume). @default {{ updates: 0, rejected: 0 }} */
  start?: { updates: number; rejected: number };
}

/** What the update stage emits for each window. */
export interface UpdateRecord<G extends GradSet = RnnGrads, C = StepCache> {
  /** The window. */
  window: TbpttWindow<G, C>;
  /**
   * False when the window's loss or gradient norm was not finite (a NaN or infinite gradient, or
   * one so large, |g| ≳ 1e154, that Σg² overflows): the parameters were left untouched.
   */
  accepted: boolean;
  /** Global gradient norm after the reduction, before clipping (NaN/Infinity for a rejected window). */
  gradNorm: number;
  /** The learning rate used (0 for a rejected window). */
  learningRate: number;
  /** Accepted updates so far. */
  updates: number;
  /** Rejected windows so far. */
  rejected: number;
  /**
   * A copy of the optimizer's state after this update. Call it before the next accepted update:
   * then it throws instead of returning a later state.
   */
  optimizerState(): OptimizerState;
}

/**
 * Applies each window's gradients to the live parameters. A window whose loss or
 * gradient norm is not finite (a NaN or infinite gradient, or an overflowing norm) never
 * touches the parameters: it is counted as rejected.
 * Optimizer state lives per subscription.
 *
 * It never changes the windows it receives: the reduction and clipping work on the
 * stage's own copy of the gradients (bit for bit what scaling in place gave), so one
 * `share()`d window stream can feed several consumers. It keeps RxJS's contract: the
 * source is subscribed through a linked inner observer (`take(n)` stops a synchronous
 * source at once); an error (a throwing `schedule` or cell, a bad learning rate)
 * unsubscribes the source at once, before the optimizer steps, so the parameters and
 * moments are those of the last accepted update. Buffers are released on teardown.
 *
 * @typeParam P Parameters of the cell.
 * @typeParam G Gradients of the cell.
 * @typeParam C The cell's step cache.
 * @param options Parameters, optimizer, clipping, reduction and schedule.
 * @returns An operator from windows to update records.
 * @throws {RangeError} When an option is out of range (at creation).
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { from } from "rxjs";
 * import { applyUpdates, forwardSteps, initParams, tbptt } from "../../mod.ts";
 * const params = initParams({ nx: 3, na: 4, ny: 3 }, { seed: 1 });
 * const samples = [0, 1, 2, 0].map((t) => ({ x: [t], y: [(t + 1) % 3] }));
 * let updates = 0;
 * from(samples).pipe(
 *   forwardSteps({ params }),
 *   tbptt({ params, k1: 2 }),
 *   applyUpdates({ params, optimizer: { type: "sgd", learningRate: 0.1 } }),
 * ).subscribe((u) => updates = u.updates);
 * assert(updates === 2);
 * ```
 */
export function applyUpdates<P extends ParamSet = RnnParams, G extends GradSet = RnnGrads, C = StepCache>(
  options: ApplyUpdatesOptions<P, G, C>,
): OperatorFunction<TbpttWindow<G, C>, UpdateRecord<G, C>> {
  const {
    params,
    optimizer = { type: "adam" },
    clip = { norm: 5 },
    reduction = "mean",
    schedule,
    start = { updates: 0, rejected: 0 },
    backend = DEFAULT_BACKEND,
  } = options;
  const cell = options.cell ?? (rnnCell() as unknown as RecurrentCell<P, G, C>);
  cell.sizes(params);
  checkClip("applyUpdates()", clip);
  // a copy: thresholds validated now cannot be changed later through the caller's object
  const { value: clipValue, norm: clipNorm } = clip;
  const clipping: ClipOptions = { value: clipValue, norm: clipNorm };
  if (reduction !== "sum" && reduction !== "mean") {
    throw new RangeError(
      `Cannot create applyUpdates() as 'reduction' must be "sum" or "mean": current value is ${reduction}`,
    );
  }
  if (schedule !== undefined && typeof schedule !== "function") {
    throw new TypeError(
      `Cannot create applyUpdates() as 'schedule' must be a function: got ${typeof schedule}`,
    );
  }
  if (start === null || typeof start !== "object") {
    throw new TypeError(
      `Cannot create applyUpdates() as 'start' must be an object { updates, rejected }: got ${start}`,
    );
  }
  for (const key of ["updates", "rejected"] as const) {
    if (!Number.isSafeInteger(start[key]) || start[key] < 0) {
      throw new RangeError(
        `Cannot create applyUpdates() as 'start.${key}' must be an integer >= 0: current value is ${
          start[key]
        }`,
      );
    }
  }
  createOptimizer(optimizer); // validates the options now
  checkBackend(backend, "applyUpdates()");
  if (options.optimizerState !== undefined) {
    createOptimizer(optimizer).setState(options.optimizerState);
    checkStateFits(options.optimizerState, cell.slots(params, cell.zeroGrads(params)));
  }
  return (source) =>
    new Observable<UpdateRecord<G, C>>((subscriber) => {
      // per-subscription state: the optimizer's moments, the counters and the reduced gradients
      const run = createBackend(backend, "applyUpdates()");
      const opt: Optimizer = createOptimizer(optimizer, run);
      if (options.optimizerState !== undefined) opt.setState(options.optimizerState);
      let { updates, rejected } = start;
      // the stage's own gradient buffers: the window's are read, never scaled
      let own: Float64Array[] = [];
      // the optimizer's state as of the latest record; an older record's optimizerState() throws
      let stepped = 0;
      const stateAt = (at: number) => (): OptimizerState => {
        if (stepped !== at) {
          throw new Error(
            `Cannot read the optimizer state of update ${at}: the optimizer has stepped since (call it before the next update)`,
          );
        }
        return opt.getState();
      };
      subscriber.add(() => {
        // release the buffers; the newest record's optimizerState() stays readable
        own = [];
      });
      subscribeLinked(source, subscriber, {
        next(window) {
          // a cell, schedule or optimizer that throws errors the stream (subscribeLinked forwards
          // it) before anything is written to the parameters or the moments
          const given = cell.slots(params, window.grads);
          const scale = reduction === "mean" ? 1 / (Math.max(1, window.labeled) * window.columns) : 1;
          const slots: ParamSlot[] = given.map(({ name, value, grad }, i) => {
            if (own[i]?.length !== grad.length) own[i] = run.alloc(grad.length);
            const mine = own[i];
            if (scale === 1) mine.set(grad);
            else for (let k = 0; k < grad.length; k++) mine[k] = grad[k] * scale;
            return { name, value, grad: mine };
          });
          const norm = globalNorm(slots);
          if (!Number.isFinite(window.loss) || !Number.isFinite(norm)) {
            rejected++;
            subscriber.next({
              window,
              accepted: false,
              gradNorm: norm,
              learningRate: 0,
              updates,
              rejected,
              optimizerState: stateAt(stepped),
            });
            return;
          }
          let lr = opt.learningRate;
          if (schedule !== undefined) {
            lr = schedule({ update: updates, step: window.t, learningRate: opt.learningRate });
            if (typeof lr !== "number" || !(lr >= 0) || !Number.isFinite(lr)) {
              throw new RangeError(`The learning-rate schedule must return a finite number >= 0: got ${lr}`);
            }
          }
          if (clipValue !== undefined || clipNorm !== undefined) clipGradients(slots, clipping);
          opt.step(slots, lr);
          updates++;
          stepped++;
          subscriber.next({
            window,
            accepted: true,
            gradNorm: norm,
            learningRate: lr,
            updates,
            rejected,
            optimizerState: stateAt(stepped),
          });
        },
      });
    });
}

/**
 * Throws unless every buffer of `state` (keyed `"<param>.<buffer>"`) belongs to a parameter
 * and has its length: a misfit would misalign the moments, or write NaN into the parameters.
 */
function checkStateFits(state: OptimizerState, slots: readonly ParamSlot[]): void {
  const sizes = new Map(slots.map((slot) => [slot.name, slot.value.length]));
  for (const [key, buffer] of Object.entries(state.slots)) {
    const name = key.slice(0, key.lastIndexOf("."));
    const size = sizes.get(name);
    if (size === undefined) {
      throw new RangeError(
        `Cannot create applyUpdates() as the optimizer state's '${key}' belongs to no parameter: the parameters are ${
          [...sizes.keys()].join(", ")
        }`,
      );
    }
    if (buffer.length !== size) {
      throw new RangeError(
        `Cannot create applyUpdates() as the optimizer state's '${key}' has ${buffer.length} values, expected ${size} (the size of '${name}')`,
      );
    }
  }
}
