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
import type { RnnGrads, RnnParams } from "../cells/rnn/params.ts";
import type { StepCache } from "../cells/rnn/cell.ts";
import { cellFromOptions, cellKinds, createCell } from "../cells/create_cell.ts";
import type { CellName } from "../cells/create_cell.ts";
import type { CellSpec, RecurrentCell } from "../cells/recurrent_cell.ts";
import type { GradSet, Head, ParamSet } from "../cells/types.ts";
import { checkBackend, createBackend, DEFAULT_BACKEND } from "../kernels/create_backend.ts";
import { resident } from "../kernels/resident.ts";
import type { BackendChoice } from "../kernels/create_backend.ts";
import { cloneData } from "../math/clone_data.ts";
import { describe } from "../math/matrix.ts";
import type { Matrix } from "../math/matrix.ts";
import { subscribeLinked } from "./operate.ts";
import { tbptt } from "./tbptt.ts";
import { shardedWindows } from "./_sharded_windows.ts";
import { workersUnsupported } from "./_worker_shards.ts";

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

/**
 * Everything needed to continue a run exactly; plain data (matrices and typed arrays inside).
 *
 * @typeParam P The cell's parameters.
 * @typeParam C The cell's step cache.
 */
export interface TrainerSnapshot<P extends ParamSet = RnnParams, C = StepCache> {
  /** The run's settings. */
  config: TrainConfig;
  /** The cell's spec (`cell.spec()`): a resume must use a cell of the same spec. Missing in older snapshots: the RNN. */
  cell: CellSpec;
  /** The name of the kernel backend the run used (a resume defaults to it). Missing in older snapshots: `"js"`. */
  backend: string;
  /** The parameters. */
  params: P;
  /** The optimizer's state. */
  optimizer: OptimizerState;
  /** The cell's state after the last step, `sizes.state`×m. */
  hidden: Matrix;
  /** The newest ≤ k2 step records, oldest first: the next window backpropagates into them. */
  history: StepRecord<C>[];
  /** Running totals. */
  counters: TrainCounters;
  /** The smoothed mean loss, or null before the first window. */
  smoothLoss: number | null;
}

/**
 * Options for {@linkcode train}.
 *
 * @typeParam P The cell's parameters.
 * @typeParam G The cell's gradients.
 * @typeParam C The cell's step cache.
 */
export interface TrainOptions<P extends ParamSet = RnnParams, G extends GradSet = RnnGrads, C = StepCache> {
  /** Initial parameters (copied per subscription). One of `params`, `sizes` or `resume` is required. */
  params?: P;
  /** Sizes of fresh parameters (`cell.init(sizes, { init, seed })`); with `layers`, `na` is the top layer's size and may be left out. */
  sizes?: { nx: number; na?: number; ny: number };
  /** Initialisation of fresh parameters. @default {"xavier"} */
  init?: "xavier" | "randn";
  /** Seed of fresh parameters. @default {0} */
  seed?: number;
  /** The cell's state before the first step, `sizes.state`×m (ignored with `resume`). @default {zeros} */
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
  /** Output head of the default cell (a cell object brings its own). @default {the cell's, else "softmax"} */
  head?: Head;
  /**
   * The cell: `"rnn"` (the vanilla RNN), `"gru"` or `"lstm"` (with `head`, `layers` and
   * `embed`), or a {@linkcode RecurrentCell}. With `resume`, it must have the snapshot's
   * spec; left out, the snapshot's spec rebuilds it (`createCell()`).
   * @default {resume's, else "rnn"}
   */
  cell?: CellName | RecurrentCell<P, G, C>;
  /**
   * Layer sizes of a named cell, bottom first: more than one builds a `stackedCell` of
   * that kind (then `sizes.na` defaults to the top layer's size).
   * @default {one layer of sizes.na}
   */
  layers?: readonly number[];
  /** Size of a learned embedding in front of the first layer of a named cell (builds a `stackedCell`); null for none. @default {null} */
  embed?: number | null;
  /** The kernel backend: a registered name or a Backend object. @default {resume's, else "wasm-f64"} */
  backend?: BackendChoice;
  /** Invalid samples: error the stream or count and skip them. @default {"error"} */
  onInvalid?: "error" | "skip";
  /** Called with each skipped sample's error. */
  onSkip?: (error: Error, sample: unknown, index: number) => void;
  /** Learning rate per update. */
  schedule?: (info: ScheduleInfo) => number;
  /** Weight of the past in the smoothed loss. @default {0.99} */
  smoothing?: number;
  /** A snapshot to continue from exactly; its config wins over the options above. */
  resume?: TrainerSnapshot<P, C>;
  /**
   * Threads in all that share each window's m columns: the calling thread computes the
   * first range of columns and `workers − 1` Web Workers the others (contiguous, as even as
   * possible; at most m). One synchronisation and one gradient merge per window; results
   * differ from one thread's only by float rounding (the same sums in another order) and
   * are deterministic for a given n. With more than 1: a backend name (not a Backend
   * object), a built-in cell, Deno (the calling thread blocks in `Atomics.wait`, so not a
   * browser's main thread) and read permission for the worker module
   * (`src/stream/_shard_worker.ts`). See docs/backends.md.
   * @default {1}
   */
  workers?: number;
  /** With `workers` > 1: milliseconds to wait for a worker before the stream errors (e.g. one that never started). @default {30000} */
  workerTimeout?: number;
}

/**
 * One training event, emitted once per window, right after its update.
 *
 * @typeParam P The cell's parameters.
 * @typeParam C The cell's step cache.
 */
export interface TrainEvent<P extends ParamSet = RnnParams, C = StepCache> {
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
  params: P;
  /**
   * A deep copy of the whole trainer state at this event. Call it while handling the event:
   * once the next sample arrives (or the stream ends) it throws instead of returning a
   * state that would not resume exactly.
   */
  snapshot(): TrainerSnapshot<P, C>;
}

/**
 * Trains a recurrent cell (the vanilla RNN by default) with TBPTT(k1, k2) on a stream of
 * samples: the composition `forwardSteps → tbptt → applyUpdates`, with parameters, state
 * and optimizer moments per subscription, every step on the run's kernel backend.
 * Memory is O(k2) for any stream length.
 *
 * It keeps RxJS's contract: the stages subscribe through linked inner observers, so
 * `take(n)` after a synchronous endless source stops it having pulled only the samples of
 * n windows. An error (from the source, `onSkip`, `schedule` or the cell) unsubscribes the
 * source at once, and nothing changes after it: no optimizer step, no write to the
 * parameters. Samples and the `params` option are never changed; buffers are released on
 * teardown. A partial window at completion is dropped (see {@linkcode tbptt}).
 *
 * With `workers: n` > 1 each window's m columns are split between the calling thread and
 * n − 1 Web Workers (one synchronisation and one gradient merge per window; the same
 * contract, snapshots of all m columns, results within float rounding of one thread's):
 * see {@linkcode TrainOptions.workers}.
 *
 * @typeParam P The cell's parameters.
 * @typeParam G The cell's gradients.
 * @typeParam C The cell's step cache.
 * @param options Model, cell, backend, truncation, optimizer and policies.
 * @returns An operator from samples to training events (one per window).
 * @throws {RangeError} When an option is out of range, the backend name is unknown, or `resume` does not fit the cell (at creation); with `workers` > 1, when the cell or backend is not built in.
 * @throws {TypeError} When neither `params`, `sizes` nor `resume` is given, or `cell`, `backend` or `workers` has the wrong type; with `workers` > 1, when `backend` is a Backend object or the runtime has no workers.
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
 * from(samples).pipe(train({ sizes: { nx: 3, na: 8, ny: 3 }, k1: 4, k2: 8, cell: "rnn", backend: "js" }))
 *   .subscribe((e) => losses.push(e.meanLoss));
 * assert(losses.length === 4);
 * ```
 */
export function train<P extends ParamSet = RnnParams, G extends GradSet = RnnGrads, C = StepCache>(
  options: TrainOptions<P, G, C>,
): OperatorFunction<Sample, TrainEvent<P, C>> {
  const {
    resume,
    smoothing = 0.99,
    onInvalid = "error",
    onSkip,
    schedule,
    workers = 1,
    workerTimeout = 30_000,
  } = options;
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
  const { k1, k2, head, reduction, clip } = config;
  const cell = resolveCell(options, head);
  const backend = options.backend ?? resume?.backend ?? DEFAULT_BACKEND;
  const backendName = checkBackend(backend, "train()");
  const initial = initialParams(options, cell);
  const counters0: TrainCounters = resume?.counters ?? { steps: 0, windows: 0, skipped: 0, rejected: 0 };
  // validate stage options now, not at subscription
  const a0 = resume?.hidden ?? options.a0;
  forwardSteps({ params: initial, cell, backend, onInvalid, onSkip, a0 });
  tbptt({ params: initial, k1, k2, cell, backend, history: resume?.history });
  const updates = {
    optimizer: config.optimizer,
    optimizerState: resume?.optimizer,
    clip,
    reduction,
    schedule,
    cell,
    backend,
    start: { updates: counters0.windows - counters0.rejected, rejected: counters0.rejected },
  };
  applyUpdates({ params: initial, ...updates });
  checkWorkers(workers, workerTimeout, backend, cell, a0);
  return (source) =>
    new Observable<TrainEvent<P, C>>((subscriber) => {
      // per-subscription state: one backend for the three stages, the parameters in its
      // memory (its kernels then take them with no copy), counters, smoothed loss, clock
      const runtime = createBackend(backend, "train()");
      const params = resident(initial, runtime);
      let history = resume?.history.map(cloneRecord);
      let smoothLoss = resume?.smoothLoss ?? null;
      let windows = counters0.windows;
      const started = performance.now();
      let stepsHere = 0;
      const pipeline = workers === 1
        ? source.pipe(
          forwardSteps({
            params,
            cell,
            backend: runtime,
            onInvalid,
            onSkip,
            a0,
            startIndex: counters0.steps,
            startSkipped: counters0.skipped,
            pool: k2 + 1,
          }),
          tbptt({ params, k1, k2, cell, backend: runtime, history }),
          applyUpdates({ params, ...updates, backend: runtime }),
        )
        : source.pipe(
          shardedWindows({
            params,
            cell,
            backend: runtime,
            backendName,
            workers,
            timeout: workerTimeout,
            k1,
            k2,
            onInvalid,
            onSkip,
            a0,
            history,
            startIndex: counters0.steps,
            startSkipped: counters0.skipped,
          }),
          applyUpdates({ params, ...updates, backend: runtime }),
        );
      // the stages copied the history into their ring: drop this subscription's reference
      history = undefined;
      subscribeLinked(pipeline, subscriber, {
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
                cell: cloneData(cell.spec()),
                backend: backendName,
                params: cloneData(params),
                optimizer: u.optimizerState(),
                hidden: w.aLast.clone(),
                history,
                counters: { ...counters },
                smoothLoss: smoothLoss,
              };
            },
          });
        },
      });
    });
}

/** Backends every worker can create by name (a name registered on the calling thread is unknown in a worker). */
const WORKER_BACKENDS = ["js", "wasm-f64", "wasm-f32"];
/** Cell kinds every worker can rebuild from a spec. */
const WORKER_CELLS = ["rnn", "gru", "lstm", "stack"];

/** Checks `workers` and `workerTimeout`, and with more than one worker, what the workers must rebuild. */
function checkWorkers<P extends ParamSet, G extends GradSet, C>(
  workers: unknown,
  timeout: unknown,
  backend: BackendChoice,
  cell: RecurrentCell<P, G, C>,
  a0: Matrix | undefined,
): void {
  if (typeof workers !== "number") {
    throw new TypeError(
      `Cannot create train() as 'workers' must be an integer >= 1: got ${describe(workers)}`,
    );
  }
  if (!Number.isInteger(workers) || workers < 1) {
    throw new RangeError(
      `Cannot create train() as 'workers' must be an integer >= 1: current value is ${workers}`,
    );
  }
  if (typeof timeout !== "number" || !(timeout > 0)) {
    throw new RangeError(
      `Cannot create train() as 'workerTimeout' must be a number of milliseconds > 0: current value is ${
        String(timeout)
      }`,
    );
  }
  if (workers === 1) return;
  if (typeof backend !== "string") {
    throw new TypeError(
      `Cannot create train() with 'workers' > 1 as 'backend' must be a backend name (each worker creates its own): got a Backend object "${backend.name}"`,
    );
  }
  if (!WORKER_BACKENDS.includes(backend)) {
    throw new RangeError(
      `Cannot create train() with 'workers' > 1 as 'backend' must be a built-in backend (${
        WORKER_BACKENDS.join(", ")
      }): current value is ${backend}`,
    );
  }
  const spec = cell.spec();
  if (!WORKER_CELLS.includes(spec.kind)) {
    throw new RangeError(
      `Cannot create train() with 'workers' > 1 as 'cell' must be a built-in cell that a worker rebuilds from its spec (${
        WORKER_CELLS.join(", ")
      }): current value is ${spec.kind}`,
    );
  }
  if (JSON.stringify(createCell(spec, "train()").spec()) !== JSON.stringify(spec)) {
    throw new RangeError(
      `Cannot create train() with 'workers' > 1 as 'cell' must be rebuilt by its spec: current value is ${
        JSON.stringify(spec)
      }`,
    );
  }
  if (a0 !== undefined && workers > a0.cols) {
    throw new RangeError(
      `Cannot create train() as 'workers' must be <= the batch columns m = ${a0.cols}: current value is ${workers}`,
    );
  }
  const why = workersUnsupported();
  if (why !== null) throw new TypeError(`Cannot create train() with 'workers' > 1 as ${why}`);
}

/** The run's cell: the options (a name with layers and embedding, or a cell), or a resumed snapshot's spec, checked against each other. */
function resolveCell<P extends ParamSet, G extends GradSet, C>(
  options: TrainOptions<P, G, C>,
  head: Head,
): RecurrentCell<P, G, C> {
  const { cell: choice, resume, layers, embed } = options;
  // snapshots older than the cell seam are the RNN's
  const spec: CellSpec | undefined = resume === undefined
    ? undefined
    : resume.cell ?? { kind: "rnn", head: resume.config.head };
  let cell: RecurrentCell<P, G, C>;
  if (choice === undefined && layers === undefined && (embed ?? null) === null && spec !== undefined) {
    if (!cellKinds().includes(spec.kind)) {
      throw new RangeError(
        `Cannot resume train() as the snapshot's cell "${spec.kind}" is not built in: pass that cell as 'cell'`,
      );
    }
    cell = createCell(spec, "train()") as unknown as RecurrentCell<P, G, C>;
  } else if (
    choice !== undefined && typeof choice !== "string" &&
    (choice === null || typeof choice !== "object" || typeof choice.bind !== "function" ||
      typeof choice.spec !== "function" || typeof choice.sizes !== "function")
  ) {
    throw new TypeError(
      `Cannot create train() as 'cell' must be "rnn", "gru", "lstm" or a RecurrentCell: got ${
        describe(choice)
      }`,
    );
  } else {
    cell = cellFromOptions(
      { cell: choice, layers, embed, head, hiddenSize: options.sizes?.na },
      "train()",
    ) as unknown as RecurrentCell<P, G, C>;
  }
  if (cell.head !== head) {
    throw new RangeError(
      `Cannot create train() as 'head' must be the cell's head "${cell.head}": current value is ${head}`,
    );
  }
  if (spec !== undefined) {
    const mine = cell.spec();
    if (JSON.stringify(mine) !== JSON.stringify(spec)) {
      throw new RangeError(
        `Cannot resume train() with cell ${JSON.stringify(mine)}: the snapshot was made with ${
          JSON.stringify(spec)
        }`,
      );
    }
    const names = cell.paramNames(resume!.params);
    const given = resume!.params !== null && typeof resume!.params === "object"
      ? Object.keys(resume!.params)
      : [];
    if ([...names].sort().join() !== [...given].sort().join()) {
      throw new RangeError(
        `Cannot resume train() as the snapshot's parameters (${
          given.join(", ")
        }) are not the "${cell.kind}" cell's (${names.join(", ")})`,
      );
    }
  }
  return cell;
}

/** The checked starting parameters (not copied): a snapshot's, the given ones, or fresh ones of the cell. */
function initialParams<P extends ParamSet, G extends GradSet, C>(
  options: TrainOptions<P, G, C>,
  cell: RecurrentCell<P, G, C>,
): P {
  const { sizes, init = "xavier", seed = 0 } = options;
  let initial = options.resume?.params ?? options.params;
  if (initial === undefined && sizes !== undefined) {
    if (sizes === null || typeof sizes !== "object") {
      throw new TypeError(
        `Cannot create train() as 'sizes' must be an object { nx, na, ny }: got ${describe(sizes)}`,
      );
    }
    const top = options.layers?.at(-1);
    if (top !== undefined && sizes.na !== undefined && sizes.na !== top) {
      throw new RangeError(
        `Cannot create train() as 'sizes.na' must be the top layer's size ${top}: current value is ${sizes.na}`,
      );
    }
    const full = { nx: sizes.nx, na: sizes.na ?? top!, ny: sizes.ny };
    for (const key of ["nx", "na", "ny"] as const) {
      if (!Number.isInteger(full[key]) || full[key] < 1) {
        throw new RangeError(
          `Cannot create train() as '${key}' must be an integer >= 1: current value is ${full[key]}`,
        );
      }
    }
    if (init !== "xavier" && init !== "randn") {
      throw new RangeError(
        `Cannot create train() as 'init' must be "xavier" or "randn": current value is ${init}`,
      );
    }
    initial = cell.init(full, { init, seed });
  }
  if (initial === undefined) {
    throw new TypeError(
      "Cannot create train() as one of 'params', 'sizes' or 'resume' is required: got none",
    );
  }
  cell.sizes(initial);
  return initial;
}

function resolveConfig<P extends ParamSet, G extends GradSet, C>(
  options: TrainOptions<P, G, C>,
): TrainConfig {
  const fromResume = options.resume?.config;
  const pick = <K extends keyof TrainConfig>(key: K, fallback: TrainConfig[K]): TrainConfig[K] => {
    const given = options[key as keyof TrainOptions<P, G, C>] as TrainConfig[K] | undefined;
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
  // a cell object brings its head
  const cellHead = options.cell !== null && typeof options.cell === "object" ? options.cell.head : undefined;
  const head = pick("head", cellHead ?? "softmax");
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

/**
 * A deep copy of a step record (its cache and target), for any cell whose cache is plain data.
 *
 * @typeParam C The cell's step cache.
 * @param record The record (a live one from a window's `history()`).
 * @returns A copy that shares no buffer with the record.
 * @throws {TypeError} When the cache holds something other than plain data.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { from } from "rxjs";
 * import { cloneRecord, forwardSteps, initParams } from "../../mod.ts";
 * import type { StepRecord } from "../../mod.ts";
 * const params = initParams({ nx: 3, na: 4, ny: 3 }, { seed: 1 });
 * let record: StepRecord | undefined;
 * from([{ x: [0], y: [1] }]).pipe(forwardSteps({ params })).subscribe((r) => record = r);
 * const copy = cloneRecord(record!);
 * assert(copy.cache.a !== record!.cache.a && copy.loss === record!.loss);
 * ```
 */
export function cloneRecord<C = StepCache>(record: StepRecord<C>): StepRecord<C> {
  return cloneData(record);
}
