/**
 * The truncated-BPTT stage: a ring of the last k2 step records; every k1 steps a
 * newest-first replay of the ring carries `daNext` backward and folds the window's
 * parameter gradients.
 *
 * @module
 */
import { from, Observable, reduce } from "../deps.ts";
import type { OperatorFunction } from "../deps.ts";
import type { StepCache } from "../cells/rnn/_rnn_math.ts";
import type { Head } from "../cells/rnn/_rnn_math.ts";
import type { Matrix } from "../math/matrix.ts";
import type { RnnGrads, RnnParams } from "../cells/rnn/params.ts";
import { rnnCell } from "../cells/rnn/rnn_cell.ts";
import { createBackend } from "../kernels/create_backend.ts";
import type { BackendChoice } from "../kernels/create_backend.ts";
import type { RecurrentCell } from "../cells/recurrent_cell.ts";
import type { GradSet, ParamSet } from "../cells/types.ts";
import type { StepRecord } from "./forward_steps.ts";

/** Options for {@linkcode tbptt}. */
export interface TbpttOptions<P extends ParamSet = RnnParams, G extends GradSet = RnnGrads, C = StepCache> {
  /** The live parameters: the backward uses their values at window time. */
  params: P;
  /** A window closes every k1 steps; its loss is the sum of those k1 steps' losses. */
  k1: number;
  /** Gradients flow back k2 steps (k2 >= k1); the state k2 steps back is a constant. @default {k1} */
  k2?: number;
  /** Output head of the default cell. @default {"softmax"} */
  head?: Head;
  /** The cell; overrides `head`. @default {rnnCell({ head })} */
  cell?: RecurrentCell<P, G, C>;
  /** The kernel backend: a name (`"js"`) or an instance. @default {"js"} */
  backend?: BackendChoice;
  /**
   * Labels arrive up to this many steps late: the window ending at step t closes when step
   * t + labelDelay arrives, so late labels (set with {@linkcode setLabel}) still count. The
   * gradients are those of TBPTT(k1, k2), only computed later. @default {0}
   */
  labelDelay?: number;
  /** Step records to start the ring with, oldest first (at most k2 + labelDelay; to resume a run exactly). @default {[]} */
  history?: readonly StepRecord<C>[];
}

/** One closed TBPTT window. */
export interface TbpttWindow<G extends GradSet = RnnGrads, C = StepCache> {
  /** Number of steps seen so far: the newest step's index + 1. */
  t: number;
  /** Sum of the losses of the window's last k1 steps. */
  loss: number;
  /** The steps that carry loss: k1. */
  steps: number;
  /** How many of those steps had a label (unlabeled steps carry no loss). */
  labeled: number;
  /** How far back the gradient went: min(k2, steps available). */
  depth: number;
  /** Batch columns m. */
  columns: number;
  /** The window's gradients. Reused: valid until the next window closes. */
  grads: G;
  /** The hidden state after the newest step, n_a×m (as valid as the newest record). */
  aLast: Matrix;
  /** Samples skipped as invalid so far. */
  skipped: number;
  /**
   * The ring's records, oldest first (what a checkpoint needs to resume exactly); call it before
   * the next step. They are the live records, not copies (with a cache pool their buffers are
   * reused): copy them, e.g. with `cloneRecord()`, to keep them.
   */
  history(): StepRecord<C>[];
}

/**
 * TBPTT(k1, k2) as a stream stage. Every k1 steps the last k2 cached steps are replayed
 * newest-first; the replay folds `daNext` backward through each step and adds the
 * parameter gradients of the loss of the newest k1 steps, with the hidden state at the
 * window's start held constant (detached). Memory is O(k2) whatever the stream length.
 *
 * @typeParam P Parameters of the cell.
 * @typeParam G Gradients of the cell.
 * @typeParam C The cell's step cache.
 * @param options The live parameters, k1 and k2.
 * @returns An operator from step records to windows.
 * @throws {RangeError} When k1 or k2 is out of range (at creation).
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { from } from "rxjs";
 * import { forwardSteps, initParams, tbptt } from "../../mod.ts";
 * const params = initParams({ nx: 3, na: 4, ny: 3 }, { seed: 1 });
 * const samples = [0, 1, 2, 0, 1, 2].map((t) => ({ x: [t], y: [(t + 1) % 3] }));
 * const losses: number[] = [];
 * from(samples).pipe(forwardSteps({ params }), tbptt({ params, k1: 2, k2: 4 }))
 *   .subscribe((w) => losses.push(w.loss));
 * assert(losses.length === 3);
 * ```
 */
export function tbptt<P extends ParamSet = RnnParams, G extends GradSet = RnnGrads, C = StepCache>(
  options: TbpttOptions<P, G, C>,
): OperatorFunction<StepRecord<C>, TbpttWindow<G, C>> {
  const { params, k1, k2 = k1, head = "softmax", labelDelay = 0, history = [] } = options;
  if (!Number.isInteger(k1) || k1 < 1) {
    throw new RangeError(`Cannot create tbptt() as 'k1' must be an integer >= 1: current value is ${k1}`);
  }
  if (!Number.isInteger(k2) || k2 < k1) {
    throw new RangeError(`Cannot create tbptt() as 'k2' must be an integer >= k1: current value is ${k2}`);
  }
  if (!Number.isInteger(labelDelay) || labelDelay < 0) {
    throw new RangeError(
      `Cannot create tbptt() as 'labelDelay' must be an integer >= 0: current value is ${labelDelay}`,
    );
  }
  const capacity = k2 + labelDelay;
  if (!Array.isArray(history) || history.length > capacity) {
    throw new RangeError(
      `Cannot create tbptt() as 'history' must hold at most k2 + labelDelay = ${capacity} records: current length is ${history?.length}`,
    );
  }
  const cell = options.cell ?? (rnnCell({ head }) as unknown as RecurrentCell<P, G, C>);
  const { state: na } = cell.sizes(params);
  const backend = options.backend ?? "js";
  createBackend(backend, "tbptt()");
  return (source) =>
    new Observable<TbpttWindow<G, C>>((subscriber) => {
      // per-subscription state: the ring of the last k2 + labelDelay records and the window buffers
      const ring: StepRecord<C>[] = [...history];
      const runtime = cell.bind(createBackend(backend, "tbptt()"));
      let oldest = 0;
      // bumped by every step and by teardown: history() refuses to describe a ring that has moved on
      let moves = 0;
      let grads: G | null = null;
      let daNext = new Float64Array(0), daPrev = new Float64Array(0);
      const newestFirst = (): StepRecord<C>[] => {
        const out: StepRecord<C>[] = [];
        for (let i = ring.length - 1; i >= 0; i--) out.push(ring[(oldest + i) % ring.length]);
        return out;
      };
      const sub = source.subscribe({
        next(record) {
          moves++;
          if (ring.length < capacity) ring.push(record);
          else {
            ring[oldest] = record;
            oldest = (oldest + 1) % capacity;
          }
          // windows close at steps t = k1, 2·k1, … (1-based, counted across resumes), labelDelay steps late
          const t = record.index + 1 - labelDelay;
          if (t < 1 || t % k1 !== 0) return;
          const m = cell.stateOf(record.cache).cols;
          try {
            if (grads === null || daNext.length !== na * m) {
              grads = cell.zeroGrads(params);
              daNext = new Float64Array(na * m);
              daPrev = new Float64Array(na * m);
            } else {
              for (const slot of cell.slots(params, grads)) slot.grad.fill(0);
            }
          } catch (e) {
            // a cell that throws errors the stream (instead of an unhandled asynchronous throw)
            subscriber.error(e);
            return;
          }
          const g = grads;
          const at = moves;
          const replay = newestFirst().slice(labelDelay, labelDelay + k2);
          // the window's loss: its newest k1 steps, summed oldest first (as bptt() sums a sequence)
          let loss = 0, labeled = 0;
          for (let back = Math.min(k1, replay.length) - 1; back >= 0; back--) {
            if (replay[back].y === null) continue;
            loss += replay[back].loss;
            labeled++;
          }
          // the reversed replay: step i back from the newest folds daNext into daPrev
          from(replay).pipe(
            reduce((back: number, r: StepRecord<C>) => {
              const carriesLoss = back < k1 && r.y !== null;
              runtime.backward(
                params,
                r.cache,
                carriesLoss ? r.y : null,
                back === 0 ? null : daNext,
                g,
                daPrev,
              );
              [daNext, daPrev] = [daPrev, daNext];
              return back + 1;
            }, 0),
          ).subscribe({
            // a cell that throws errors the stream (instead of an unhandled asynchronous throw)
            error: (e) => subscriber.error(e),
            next: (depth) => {
              // daNext now holds ∂loss/∂a at the window's start: dropped (the state there is a constant)
              subscriber.next({
                t,
                loss,
                steps: k1,
                labeled,
                depth,
                columns: m,
                grads: g,
                aLast: cell.stateOf(record.cache),
                skipped: record.skipped,
                history: () => {
                  if (moves !== at) {
                    throw new Error(
                      `Cannot read the history of the window at step ${t}: the stream has moved on (call it before the next step)`,
                    );
                  }
                  const out = newestFirst();
                  out.reverse();
                  return out;
                },
              });
            },
          });
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
      return () => {
        sub.unsubscribe();
        moves++;
        ring.length = 0;
      };
    });
}
