/**
 * `learnOne()` underneath: one subscription of the stages `forwardSteps → tbptt(k1 = 1, k2)
 * → applyUpdates` fed one sample at a time, so one call is exactly one window of
 * `train({ k1: 1, k2 })`. When the model's state is changed from outside (predict, reset),
 * the subscription is closed and a new one starts from that state with the optimizer's state.
 * Each subscription allocates its buffers in an arena over the model's backend, given back
 * when it closes, so a loop of `learnOne()` and `reset()` keeps the backend's memory bounded.
 *
 * @module
 */
import { map, Observable } from "../deps.ts";
import type { Subscriber } from "../deps.ts";
import type { RecurrentCell } from "../cells/recurrent_cell.ts";
import type { ParamSet, Target } from "../cells/types.ts";
import type { Backend } from "../kernels/backend.ts";
import { openArena } from "../kernels/arena.ts";
import type { Matrix } from "../math/matrix.ts";
import type { ClipOptions } from "../optim/clip.ts";
import type { OptimizerOptions, OptimizerState } from "../optim/optimizers.ts";
import { applyUpdates } from "../stream/apply_updates.ts";
import type { UpdateRecord } from "../stream/apply_updates.ts";
import { forwardSteps } from "../stream/forward_steps.ts";
import type { Sample, StepRecord } from "../stream/forward_steps.ts";
import { tbptt } from "../stream/tbptt.ts";
import type { Input } from "../cells/types.ts";

/** The settings of `learnOne()`. */
export interface Learning {
  /** The optimizer. */
  optimizer: OptimizerOptions;
  /** Gradient clipping. */
  clip: ClipOptions;
  /** Loss reduction. */
  reduction: "sum" | "mean";
  /** Backprop depth in steps. */
  k2: number;
}

/** One open pipeline of the stages, fed sample by sample. */
export class OneStepLearner {
  #cell: RecurrentCell;
  #params: ParamSet;
  #backend: Backend;
  #learning: Learning;
  #feed: Subscriber<Sample> | null = null;
  #close: (() => void) | null = null;
  #release: (() => void) | null = null;
  #record: StepRecord<unknown> | null = null;
  #update: UpdateRecord<never, unknown> | null = null;
  #error: unknown = null;
  #optimizerState: OptimizerState | undefined = undefined;
  #start = { updates: 0, rejected: 0 };

  constructor(cell: RecurrentCell, params: ParamSet, backend: Backend, learning: Learning) {
    this.#cell = cell;
    this.#params = params;
    this.#backend = backend;
    this.#learning = learning;
    // validate now: a bad optimizer or clip is the caller's error, not the first step's
    this.#stages(undefined, backend);
  }

  /** Accepted updates so far. */
  get updates(): number {
    return this.#update?.updates ?? this.#start.updates;
  }

  /** One window of one step; returns its loss and the state after it (a copy). */
  step(x: Input, y: Target, state: Matrix | null): { loss: number; state: Matrix } {
    if (this.#feed === null) this.#open(state);
    this.#record = null;
    this.#error = null;
    this.#feed!.next({ x, y });
    if (this.#error !== null) {
      const error = this.#error;
      this.close();
      throw error;
    }
    const record = this.#record!;
    return { loss: record.loss, state: this.#cell.stateOf(record.cache).clone() };
  }

  /** Ends the subscription, keeping the optimizer's state and counters for the next one. */
  close(): void {
    if (this.#update !== null) {
      this.#optimizerState = this.#update.optimizerState();
      this.#start = { updates: this.#update.updates, rejected: this.#update.rejected };
      this.#update = null;
    }
    this.#close?.();
    this.#close = null;
    this.#feed = null;
    // after the teardown, and with nothing of the subscription kept (the state and the
    // optimizer's state are copies): its buffers go back to the backend
    this.#record = null;
    this.#release?.();
    this.#release = null;
  }

  #stages(a0: Matrix | undefined, backend: Backend) {
    const { optimizer, clip, reduction, k2 } = this.#learning;
    const cell = this.#cell, params = this.#params;
    return [
      forwardSteps({
        params,
        cell,
        backend,
        a0,
        startIndex: this.#start.updates + this.#start.rejected,
        pool: k2 + 1,
      }),
      tbptt({ params, k1: 1, k2, cell, backend }),
      applyUpdates({
        params,
        optimizer,
        optimizerState: this.#optimizerState,
        clip,
        reduction,
        cell,
        backend,
        start: this.#start,
      }),
    ] as const;
  }

  #open(state: Matrix | null): void {
    const arena = openArena(this.#backend);
    const [forward, windows, updates] = this.#stages(state ?? undefined, arena.backend);
    const source = new Observable<Sample>((subscriber) => {
      this.#feed = subscriber;
    });
    const subscription = source.pipe(
      forward,
      map((record) => this.#record = record),
      windows,
      updates,
    ).subscribe({
      next: (u) => this.#update = u as UpdateRecord<never, unknown>,
      error: (e) => this.#error = e,
    });
    this.#close = () => subscription.unsubscribe();
    this.#release = () => arena.release();
  }
}
