/**
 * The truncated-BPTT stage: a ring of the last k2 step records; every k1 steps a
 * newest-first replay of the ring carries the state's gradient backward and folds the
 * window's parameter gradients.
 *
 * @module
 */
import { Observable } from "../deps.ts";
import type { OperatorFunction } from "../deps.ts";
import type { StepCache } from "../cells/rnn/cell.ts";
import type { Matrix } from "../math/matrix.ts";
import type { RnnGrads, RnnParams } from "../cells/rnn/params.ts";
import { rnnCell } from "../cells/rnn/rnn_cell.ts";
import { checkBackend, createBackend, DEFAULT_BACKEND } from "../kernels/create_backend.ts";
import { resident } from "../kernels/resident.ts";
import type { BackendChoice } from "../kernels/create_backend.ts";
import type { RecurrentCell } from "../cells/recurrent_cell.ts";
import type { GradSet, Head, ParamSet } from "../cells/types.ts";
import type { StepRecord } from "./forward_steps.ts";
import { subscribeLinked } from "./operate.ts";

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
  /** The kernel backend: a name (`"js"`) or an instance. @default {"wasm-f64"} */
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
  /** The state after the newest step, `sizes.state`×m: `cell.stateOf` of the newest record (as valid as it). */
  aLast: Matrix;
  /** Samples skipped as invalid so far. */
  skipped: number;
  /**
   * The ring's records, oldest first (what a checkpoint needs to resume exactly); call it before
   * the next step. They are the live records, not copies (with a cache pool their buffers are
   * reused): copy them, e.g. with `cloneRecord()` or `cloneData()`, to keep them.
   */
  history(): StepRecord<C>[];
}

/**
 * TBPTT(k1, k2) as a stream stage. Every k1 steps the last k2 cached steps are replayed
 * newest-first; the replay folds the state's gradient `dNext` backward through each step and adds the
 * parameter gradients of the loss of the newest k1 steps, with the hidden state at the
 * window's start held constant (detached). Memory is O(k2) whatever the stream length.
 *
 * At completion, a partial window (fewer than k1 steps since the last window, or a
 * window still waiting `labelDelay` steps for its labels) is dropped: no window is
 * emitted for it and its steps get no gradient. To train on the tail of a finite
 * stream, choose k1 so that it divides the length, or end the stream with padding.
 *
 * It keeps RxJS's contract: the source is subscribed through a linked inner observer
 * (`take(n)` stops a synchronous source at once); a throwing cell errors the stream and
 * unsubscribes the source, with no window emitted for the failing step. The records it
 * receives are read, never changed. The ring is released on teardown.
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
  const backend = options.backend ?? DEFAULT_BACKEND;
  checkBackend(backend, "tbptt()");
  return (source) =>
    new Observable<TbpttWindow<G, C>>((subscriber) => {
      // per-subscription state: the ring of the last k2 + labelDelay records and the window buffers
      const ring: StepRecord<C>[] = [...history];
      const runtime = cell.bind(createBackend(backend, "tbptt()"));
      let oldest = 0;
      // bumped by every step and by teardown: history() refuses to describe a ring that has moved on
      let moves = 0;
      let grads: G | null = null;
      let dNext: Float64Array = new Float64Array(0), dPrev: Float64Array = new Float64Array(0);
      const newestFirst = (): StepRecord<C>[] => {
        const out: StepRecord<C>[] = [];
        for (let i = ring.length - 1; i >= 0; i--) out.push(ring[(oldest + i) % ring.length]);
        return out;
      };
      subscriber.add(() => {
        // release the ring and the buffers
        moves++;
        ring.length = 0;
        grads = null;
        dNext = dPrev = new Float64Array(0);
      });
      subscribeLinked(source, subscriber, {
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
          // a cell that throws errors the stream (subscribeLinked forwards it): no window is emitted
          const m = cell.stateOf(record.cache).cols;
          if (grads === null || dNext.length !== na * m) {
            // in the backend's memory, as the parameters and caches are: a WebAssembly kernel then
            // adds into them in place, instead of copying every gradient in and out at each step
            grads = resident(cell.zeroGrads(params), runtime.backend) as G;
            dNext = runtime.backend.alloc(na * m);
            dPrev = runtime.backend.alloc(na * m);
          } else {
            for (const slot of cell.slots(params, grads)) slot.grad.fill(0);
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
          // the reversed replay: step `back` from the newest folds dNext (∂L/∂state after it) into dPrev
          for (let back = 0; back < replay.length; back++) {
            const r = replay[back];
            const carriesLoss = back < k1 && r.y !== null;
            runtime.backward(params, r.cache, carriesLoss ? r.y : null, back === 0 ? null : dNext, g, dPrev);
            [dNext, dPrev] = [dPrev, dNext];
          }
          // dNext now holds ∂loss/∂state at the window's start: dropped (the state there is a constant)
          subscriber.next({
            t,
            loss,
            steps: k1,
            labeled,
            depth: replay.length,
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
    });
}
