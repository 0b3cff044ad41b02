/**
 * Prequential (test-then-train) learning on a stream: each event is first predicted
 * with the parameters learned from earlier events, then learned from; predictions and
 * rolling metrics come out, one event per input event. Labels may arrive late.
 *
 * @module
 */
import { from, Observable } from "../deps.ts";
import type { OperatorFunction, Subscriber } from "../deps.ts";
import { applyUpdates } from "../stream/apply_updates.ts";
import type { UpdateRecord } from "../stream/apply_updates.ts";
import type { ClipOptions } from "../optim/clip.ts";
import { forwardSteps, setLabel } from "../stream/forward_steps.ts";
import type { Sample, StepRecord } from "../stream/forward_steps.ts";
import { subscribeLinked } from "../stream/operate.ts";
import type { Matrix } from "../math/matrix.ts";
import { describe } from "../math/matrix.ts";
import { scorePrediction, StreamMetrics } from "./metrics.ts";
import type { MetricsSummary } from "./metrics.ts";
import { createOptimizer } from "../optim/optimizers.ts";
import type { OptimizerOptions } from "../optim/optimizers.ts";
import type { RecurrentCell } from "../cells/recurrent_cell.ts";
import { cellFromOptions, createCell } from "../cells/create_cell.ts";
import type { CellName } from "../cells/create_cell.ts";
import type { Head, ParamSet, Target } from "../cells/types.ts";
import { checkBackend, createBackend, ONLINE_BACKEND } from "../kernels/create_backend.ts";
import { resident } from "../kernels/resident.ts";
import type { BackendChoice } from "../kernels/create_backend.ts";
import { tbptt } from "../stream/tbptt.ts";
import type { TbpttWindow } from "../stream/tbptt.ts";
import { resolvePrequentialConfig } from "./_prequential_config.ts";
import type { PrequentialBaselineOptions } from "./_prequential_config.ts";
import type { PrequentialCounters, PrequentialSnapshot } from "./_prequential_state.ts";
import { Baselines } from "./_prequential_baselines.ts";
import type { BaselineForecasts, PrequentialBaselines } from "./_prequential_baselines.ts";
import { clonePlain } from "./_clone.ts";

export type { PrequentialBaselineOptions, PrequentialConfig } from "./_prequential_config.ts";
export type { PendingPrediction, PrequentialCounters, PrequentialSnapshot } from "./_prequential_state.ts";
export type {
  BaselineForecasts,
  ClassBaselines,
  PrequentialBaselines,
  PrequentialBaselinesState,
  RowBaselines,
} from "./_prequential_baselines.ts";

/**
 * One event of a prequential stream: features (`x`, with the target `y` if it is known
 * already), or a late label (`y` with `labelFor` or `id`) for an earlier feature event.
 */
export interface PrequentialInput {
  /** Features, as in {@linkcode Sample}; absent for a label-only event. */
  x?: Sample["x"];
  /** The target: on time with `x`, or the late label of the step named by `labelFor` / `id`. */
  y?: Sample["y"];
  /** Per column, restart that stream's hidden state at this step. */
  reset?: Sample["reset"];
  /** With `x`: a name for this step, so that a later `{ id, y }` labels it. Without `x`: the step to label. */
  id?: string | number;
  /** Without `x`: the index of the step this label belongs to. */
  labelFor?: number;
}

/** What {@linkcode prequential} emits for each input event. */
export interface PrequentialEvent {
  /** `"step"`: features were predicted (and learned from); `"label"`: a late label was scored; `"skip"`: the event was invalid or its step unknown. */
  kind: "step" | "label" | "skip";
  /** The step's 0-based index (for a label: the step it labels); -1 for a skip. */
  index: number;
  /** The prediction ŷ made for the step before learning from it (n_y×m); null for a skip. */
  prediction: Matrix | null;
  /** The target scored at this event; null when none was (a step still waiting for its label). */
  target: Target | null;
  /** The step's loss (½Σ(ŷ − y)² or −Σ y·ln ŷ) when scored at this event, else null. */
  loss: number | null;
  /** True for a label that came too late to be learned from (it is scored all the same). */
  late: boolean;
  /**
   * Rolling and since-start metrics of the scored predictions, and the baselines scored
   * beside them (null when `baselines` is false; frozen, and shared by the events between
   * two scored predictions).
   */
  metrics: { window: MetricsSummary; total: MetricsSummary; baselines: PrequentialBaselines | null };
  /** Running totals (a copy). */
  counters: PrequentialCounters;
  /** The live parameters (later events change them in place: clone to keep). */
  params: ParamSet;
  /** A deep copy of the whole learner's state after this event (call it before the next event, or after the stream ended). */
  snapshot(): PrequentialSnapshot;
}

/** Options for {@linkcode prequential}. */
export interface PrequentialOptions {
  /** Initial parameters (copied per subscription). One of `params`, `sizes` or `resume` is required. */
  params?: ParamSet;
  /** Sizes of fresh parameters (made by the cell's `init`); with `layers`, `na` must be the top layer's size. */
  sizes?: { nx: number; na: number; ny: number };
  /**
   * The cell: `"rnn"` (the vanilla RNN), `"gru"` or `"lstm"` (with `head`, `layers` and
   * `embed`), or any {@linkcode RecurrentCell}.
   * @default {resume's, else "rnn"}
   */
  // deno-lint-ignore no-explicit-any
  cell?: CellName | RecurrentCell<any, any, any>;
  /** Layer sizes of a named cell, bottom first: more than one builds a `stackedCell`. @default {one layer of sizes.na} */
  layers?: readonly number[];
  /** Size of a learned embedding in front of a named cell's first layer (builds a `stackedCell`); null for none. @default {null} */
  embed?: number | null;
  /** The kernel backend: a registered name or an instance. @default {resume's, else "js": see ONLINE_BACKEND} */
  backend?: BackendChoice;
  /** Initialisation of fresh parameters. @default {"xavier"} */
  init?: "xavier" | "randn";
  /** Seed of fresh parameters. @default {0} */
  seed?: number;
  /** Output head of the `"rnn"` cell: `"linear"` for numbers (squared error), `"softmax"` for tokens. @default {the cell's, else "softmax"} */
  head?: Head;
  /** A window closes every k1 steps. @default {1} */
  k1?: number;
  /** Backprop depth (>= k1). @default {k1} */
  k2?: number;
  /** Labels are still learned from when they arrive up to this many steps late (see {@linkcode tbptt}). @default {0} */
  labelDelay?: number;
  /** The optimizer. @default {{ type: "adam", learningRate: 0.002 }} */
  optimizer?: OptimizerOptions;
  /** Gradient clipping. @default {{ norm: 5 }} */
  clip?: ClipOptions;
  /** Loss reduction. @default {"mean"} */
  reduction?: "sum" | "mean";
  /** The rolling metrics' window, in scored predictions. @default {1000} */
  window?: number;
  /** The most predictions kept waiting for a label; older ones are dropped and counted as `expired`. @default {1024} */
  pending?: number;
  /** Invalid events: error the stream (naming the event) or count and skip them. @default {"error"} */
  onInvalid?: "error" | "skip";
  /** Called with each skipped event's error. A throw here errors the stream. */
  onSkip?: (error: Error, event: unknown) => void;
  /**
   * Baselines scored beside the model on the same targets (see {@linkcode prequential}):
   * `true`, or `{ ar: order }` for another order of the online AR baseline (linear head
   * only), or `false` for none. A resumed run keeps its snapshot's.
   * @default {true (AR order 3)}
   */
  baselines?: boolean | PrequentialBaselineOptions;
  /** A snapshot to continue from exactly; its config wins over the options above. */
  resume?: PrequentialSnapshot;
}

/**
 * Prequential learning: for each feature event, predict (with the parameters learned
 * from earlier events only), score the prediction if the target came with it, then
 * learn — `forwardSteps → tbptt → applyUpdates`, composed per subscription. A target
 * that arrives later as `{ labelFor: index, y }` or `{ id, y }` is scored against the
 * prediction made at feature time; if it is at most `labelDelay` steps late (its TBPTT
 * window has not closed yet) it is also learned from, otherwise it is counted `late`.
 * Emits one {@linkcode PrequentialEvent} per input event, with rolling and since-start
 * metrics (MAE and RMSE for the linear head; log loss, accuracy and bits per symbol for
 * the softmax head) and a snapshot that resumes the run exactly.
 *
 * Baselines (on by default) are scored on the same targets: for the linear head, per
 * target series (output row i of column j), persistence (ŷ = the series' last target)
 * and an online AR model of its differences ({@linkcode OnlineAR}, order 3), reported
 * per output row as MAE of model, persistence and AR with the skill (model MAE ÷
 * persistence MAE: below 1 the model beats persistence); for the softmax head, the
 * accuracy of predicting each column's previous class beside the model's. They forecast
 * when the model does, from the targets known by then, are scored when the target
 * arrives, then learn it; only values that had a baseline forecast are compared (MAEs
 * NaN and skills null until then). They are kept in the snapshot.
 *
 * @param options Model, truncation, label delay, optimizer, metrics window and policies.
 * @returns An operator from input events to prequential events.
 * @throws {RangeError} When an option is out of range (at creation).
 * @throws {TypeError} When neither `params`, `sizes` nor `resume` is given.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { from } from "rxjs";
 * import { fromRows, prequential } from "../../mod.ts";
 * import type { PrequentialInput } from "../../mod.ts";
 * // forecast the next value of a sine wave; the label of step t is the value at t + 1
 * const xs = Array.from({ length: 200 }, (_, t) => fromRows([[Math.sin(t / 4)]]));
 * const events: PrequentialInput[] = xs.flatMap((v, t) => [
 *   ...(t > 0 ? [{ labelFor: t - 1, y: v }] : []),
 *   { x: v },
 * ]);
 * let mae = NaN;
 * let skill: number | null = null;
 * from(events).pipe(prequential({
 *   sizes: { nx: 1, na: 8, ny: 1 },
 *   head: "linear",
 *   labelDelay: 1,
 *   optimizer: { type: "adam", learningRate: 0.02 },
 *   window: 50,
 * }))
 *   .subscribe((e) => {
 *     mae = e.metrics.window.mae!;
 *     if (e.metrics.baselines?.kind === "regression") skill = e.metrics.baselines.window[0].skill;
 *   });
 * assert(mae < 0.2, `rolling MAE ${mae}`);
 * assert(skill !== null && skill > 0, `skill ${skill}`); // model MAE ÷ persistence MAE
 * ```
 */
export function prequential(
  options: PrequentialOptions,
): OperatorFunction<PrequentialInput, PrequentialEvent> {
  const { resume, onInvalid = "error", onSkip } = options;
  const given = options.cell;
  const isCell = typeof given === "object" && given !== null && typeof given.bind === "function";
  if (given !== undefined && typeof given !== "string" && !isCell) {
    throw new TypeError(
      `Cannot create prequential() as 'cell' must be "rnn", "gru", "lstm" or a RecurrentCell: got ${
        describe(given)
      }`,
    );
  }
  const cellHead = isCell ? (given as RecurrentCell).head : undefined;
  if (
    resume === undefined && cellHead !== undefined && options.head !== undefined && options.head !== cellHead
  ) {
    throw new RangeError(
      `Cannot create prequential() as 'head' must be the cell's ("${cellHead}"): current value is ${options.head}`,
    );
  }
  const config = resolvePrequentialConfig(
    resume === undefined ? { ...options, head: options.head ?? cellHead } : options,
  );
  const { k1, k2, labelDelay, head, reduction, clip } = config;
  const saved = resume?.cell;
  const { layers, embed = null } = options;
  const cell: RecurrentCell =
    saved !== undefined && given === undefined && layers === undefined && embed === null
      ? createCell(saved, "prequential()")
      : cellFromOptions({ cell: given, layers, embed, head, hiddenSize: options.sizes?.na }, "prequential()");
  if (saved !== undefined && cell.kind !== saved.kind) {
    throw new RangeError(
      `Cannot resume prequential() with a cell of kind ${cell.kind}: the snapshot was made with ${saved.kind}`,
    );
  }
  if (saved !== undefined && JSON.stringify(cell.spec()) !== JSON.stringify(saved)) {
    throw new RangeError(
      `Cannot resume prequential() with cell ${JSON.stringify(cell.spec())}: the snapshot was made with ${
        JSON.stringify(saved)
      }`,
    );
  }
  if (cell.head !== head) {
    throw new RangeError(
      `Cannot create prequential() as the cell's head must be "${head}": current value is ${cell.head}`,
    );
  }
  const backend = options.backend ?? resume?.backend ?? ONLINE_BACKEND;
  const backendName = checkBackend(backend, "prequential()");
  const initial = resume?.params ?? options.params ??
    (options.sizes !== undefined
      ? cell.init(options.sizes, { init: options.init, seed: options.seed })
      : undefined);
  if (initial === undefined) {
    throw new TypeError(
      "Cannot create prequential() as one of 'params', 'sizes' or 'resume' is required: got none",
    );
  }
  const { ny } = cell.sizes(initial);
  const ar = config.baselines?.ar ?? null;
  // checks a resumed snapshot's baselines now, not at subscription
  if (resume !== undefined && config.baselines !== null && (resume.baselines ?? null) === null) {
    throw new TypeError(
      "Cannot resume prequential() as the snapshot's baselines are missing: its config has them on",
    );
  }
  if (config.baselines !== null) new Baselines(head, ar, config.window, ny, resume?.baselines ?? undefined);
  for (const p of resume?.pending ?? []) {
    const f = p.baselines;
    if (f !== undefined && (!Array.isArray(f?.persistence) || (f.ar !== null && !Array.isArray(f.ar)))) {
      throw new TypeError(
        `Cannot resume prequential() as the baselines of pending step ${p.index} are malformed: ${
          JSON.stringify(f)?.slice(0, 200)
        }`,
      );
    }
  }
  if (onInvalid !== "error" && onInvalid !== "skip") {
    throw new RangeError(
      `Cannot create prequential() as 'onInvalid' must be "error" or "skip": current value is ${onInvalid}`,
    );
  }
  const counters0: PrequentialCounters = resume?.counters ?? {
    events: 0,
    steps: 0,
    scored: 0,
    late: 0,
    expired: 0,
    skipped: 0,
    updates: 0,
    rejected: 0,
  };
  const pool = k2 + labelDelay + 2;
  const stages = { cell, backend };
  // validate the stages' options now, not at subscription
  forwardSteps({ params: initial, ...stages, a0: resume?.hidden ?? undefined });
  tbptt({ params: initial, k1, k2, labelDelay, history: resume?.history, ...stages });
  const updateOptions = {
    optimizer: config.optimizer,
    optimizerState: resume?.optimizer,
    clip,
    reduction,
    start: { updates: counters0.updates, rejected: counters0.rejected },
    ...stages,
  };
  applyUpdates({ params: initial, ...updateOptions });
  return (source) =>
    new Observable<PrequentialEvent>((subscriber) => {
      // per-subscription state: parameters, the stages, pending predictions, metrics, counters
      // one backend for the three stages, the parameters in its memory (no copy per kernel call)
      const runtime = createBackend(backend, "prequential()");
      const here = { cell, backend: runtime };
      const params = resident(initial, runtime);
      const history = (resume?.history ?? []).map(clonePlain);
      const ring: StepRecord<unknown>[] = [...history]; // mirrors tbptt's ring (its last k2 + labelDelay records)
      const capacity = k2 + labelDelay;
      const pending = new Map<
        number,
        { prediction: Matrix; id?: string | number; baselines?: BaselineForecasts }
      >();
      const ids = new Map<string | number, number>();
      for (const p of resume?.pending ?? []) {
        pending.set(p.index, {
          prediction: p.prediction.clone(),
          id: p.id,
          baselines: cloneForecasts(p.baselines),
        });
        if (p.id !== undefined) ids.set(p.id, p.index);
      }
      const baselines = config.baselines === null
        ? null
        : new Baselines(head, ar, config.window, ny, resume?.baselines ?? undefined);
      const metrics = resume !== undefined
        ? StreamMetrics.fromState(resume.metrics)
        : new StreamMetrics(head === "linear" ? "regression" : "classification", { window: config.window });
      const counters = { ...counters0 };
      let hidden: Matrix | null = resume?.hidden?.clone() ?? null;
      let record: StepRecord<unknown> | null = null;
      let update: UpdateRecord<ParamSet, unknown> | null = null;
      let feed: Subscriber<Sample> | null = null;
      let windows: Subscriber<TbpttWindow<ParamSet, unknown>> | null = null;
      let invalid: Error | null = null;
      let final: PrequentialSnapshot | null = null;
      // the update stage, fed the windows of the learning pipeline (and, at completion, the last ones)
      subscriber.add(
        new Observable<TbpttWindow<ParamSet, unknown>>((s) => {
          windows = s;
        }).pipe(applyUpdates({ params, ...updateOptions, backend: runtime })).subscribe({
          next: (u) => (update = u),
          error: (e) => subscriber.error(e),
        }),
      );
      subscriber.add(
        new Observable<Sample>((s) => {
          feed = s;
        }).pipe(
          forwardSteps({
            params,
            ...here,
            onInvalid: "skip",
            allowUnlabeled: true,
            a0: hidden ?? undefined,
            startIndex: counters0.steps,
            pool,
            onSkip: (error) => (invalid = error),
          }),
          (steps) =>
            new Observable<StepRecord<unknown>>((s) =>
              subscribeLinked(steps, s, {
                next(r) {
                  record = r;
                  if (ring.length === capacity) ring.shift();
                  ring.push(r);
                  s.next(r);
                },
              })
            ),
          tbptt({ params, k1, k2, labelDelay, history, ...here }),
        ).subscribe({
          next: (w) => windows!.next(w),
          error: (e) => subscriber.error(e),
        }),
      );

      // before the first update: the state it started from (a copy, not the resume's own object)
      const startState = () => {
        const start = createOptimizer(config.optimizer);
        if (resume !== undefined) start.setState(resume.optimizer);
        return start.getState();
      };
      const snapshot = (): PrequentialSnapshot =>
        final !== null ? clonePlain(final) : {
          config: structuredClone(config),
          cell: cell.spec(),
          backend: backendName,
          params: clonePlain(params),
          optimizer: update?.optimizerState() ?? startState(),
          hidden: hidden?.clone() ?? null,
          history: ring.map(clonePlain),
          pending: [...pending].map(([index, p]) => ({
            index,
            id: p.id,
            prediction: p.prediction.clone(),
            baselines: cloneForecasts(p.baselines),
          })),
          metrics: metrics.getState(),
          baselines: baselines?.getState() ?? null,
          counters: { ...counters },
        };
      const emit = (
        kind: PrequentialEvent["kind"],
        index: number,
        prediction: Matrix | null,
        target: Target | null,
        loss: number | null,
        late: boolean,
      ) => {
        if (update !== null) {
          counters.updates = update.updates;
          counters.rejected = update.rejected;
        }
        subscriber.next({
          kind,
          index,
          prediction,
          target,
          loss,
          late,
          metrics: {
            window: metrics.window(),
            total: metrics.total(),
            baselines: baselines?.summary() ?? null,
          },
          counters: { ...counters },
          params,
          snapshot,
        });
      };
      const skip = (error: Error, event: unknown): void => {
        if (onInvalid === "error") throw error;
        counters.skipped++;
        // a throw here errors the stream (subscribeLinked forwards it and releases the source)
        if (onSkip !== undefined) onSkip(error, event);
        emit("skip", -1, null, null, null, false);
      };
      const score = (prediction: Matrix, target: Target, forecasts: BaselineForecasts | undefined) => {
        const s = scorePrediction(head, prediction, target);
        metrics.add(s);
        baselines?.score(prediction, target, forecasts);
        counters.scored++;
        return s;
      };

      const onStep = (event: PrequentialInput, at: number) => {
        record = null;
        invalid = null;
        feed!.next({ x: event.x!, y: event.y, reset: event.reset });
        if (subscriber.closed) return;
        const r = record as StepRecord<unknown> | null;
        if (r === null) {
          // forwardSteps() skipped it: its message names its own count, say this event's instead
          const e = (invalid as Error | null) ?? new RangeError("the sample was rejected");
          const why = e.message.replace(/^Invalid sample at step \d+: /, "");
          skip(new (e instanceof TypeError ? TypeError : RangeError)(`Invalid event ${at}: ${why}`), event);
          return;
        }
        hidden = cell.stateOf(r.cache);
        counters.steps = r.index + 1;
        const prediction = cell.outputOf(r.cache).clone();
        // the baselines forecast beside the model, from the targets known before this step's
        const forecasts = baselines?.forecast(prediction.cols);
        if (r.y !== null) {
          score(prediction, r.y, forecasts);
          emit("step", r.index, prediction, r.y, r.loss, false);
          return;
        }
        if (event.id !== undefined) {
          const old = ids.get(event.id);
          if (old !== undefined) pending.delete(old);
          ids.set(event.id, r.index);
        }
        pending.set(r.index, { prediction, id: event.id, baselines: forecasts });
        if (pending.size > config.pending) {
          const [oldest, p] = pending.entries().next().value!;
          pending.delete(oldest);
          if (p.id !== undefined) ids.delete(p.id);
          counters.expired++;
        }
        emit("step", r.index, prediction, null, null, false);
      };

      const onLabel = (event: PrequentialInput, at: number) => {
        const index = event.labelFor ?? ids.get(event.id!);
        const entry = index === undefined ? undefined : pending.get(index);
        if (index === undefined || entry === undefined) {
          const name = event.labelFor !== undefined
            ? `step ${event.labelFor}`
            : `id ${JSON.stringify(event.id)}`;
          skip(new RangeError(`Invalid event ${at}: no prediction waits for a label for ${name}`), event);
          return;
        }
        const m = entry.prediction.cols;
        let target: Target;
        try {
          target = cell.target(event.y, params, m);
        } catch (e) {
          skip(
            new ((e instanceof TypeError) ? TypeError : RangeError)(
              `Invalid event ${at}: ${(e as Error).message}`,
            ),
            event,
          );
          return;
        }
        pending.delete(index);
        if (entry.id !== undefined) ids.delete(entry.id);
        // in time while the window holding the step has not closed: it closes when step end + labelDelay arrives
        const end = Math.ceil((index + 1) / k1) * k1 - 1;
        const newest = counters.steps - 1;
        const inTime = newest < end + labelDelay;
        const s = score(entry.prediction, target, entry.baselines);
        let loss = head === "linear" ? s.b / 2 : s.a;
        if (inTime) {
          const r = ring.find((q) => q.index === index);
          if (r !== undefined) loss = setLabel(r, target, { params, cell });
        } else counters.late++;
        emit("label", index, entry.prediction, target, loss, !inTime);
      };

      // at completion: the windows still waiting for late labels close now (they would have closed
      // when step end + labelDelay arrived), so a label that came in time is learned from
      const closeOpenWindows = () => {
        const newest = counters.steps - 1;
        for (let end = Math.max(0, newest - labelDelay + 1); end <= newest; end++) {
          if ((end + 1) % k1 !== 0) continue;
          const last = ring.find((r) => r.index === end);
          if (last === undefined) continue;
          const before = ring.filter((r) => r.index > end - k2 && r.index < end);
          from([last]).pipe(tbptt({ params, k1, k2, history: before, ...here })).subscribe({
            next: (w) => windows!.next(w),
            error: (e) => subscriber.error(e),
          });
          if (subscriber.closed) return;
        }
        if (update !== null) {
          counters.updates = update.updates;
          counters.rejected = update.rejected;
        }
      };

      subscribeLinked(source, subscriber, {
        next(event) {
          const at = counters.events++;
          if (event === null || typeof event !== "object") {
            skip(
              new TypeError(
                `Invalid event ${at}: an event must be an object { x?, y?, id?, labelFor? }: got ${
                  describe(event)
                }`,
              ),
              event,
            );
            return;
          }
          if (event.x !== undefined && event.x !== null) onStep(event, at);
          else if (event.labelFor !== undefined || event.id !== undefined) onLabel(event, at);
          else {
            skip(
              new TypeError(`Invalid event ${at}: an event needs 'x', or 'y' with 'labelFor' or 'id'`),
              event,
            );
          }
        },
        complete() {
          // the snapshot stays the state at the last event: a run resumed from it closes those
          // windows itself, when its steps arrive, and so learns from them once
          if (labelDelay > 0) final = snapshot();
          closeOpenWindows();
          if (!subscriber.closed) subscriber.complete();
        },
      });
      // the pending predictions and the ring are kept after teardown: the last event's snapshot()
      // must still resume exactly once the stream has ended (they go with the events that reference them)
    });
}

function cloneForecasts(f: BaselineForecasts | undefined): BaselineForecasts | undefined {
  return f === undefined
    ? undefined
    : { persistence: [...f.persistence], ar: f.ar === null ? null : [...f.ar] };
}
