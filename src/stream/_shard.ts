/**
 * One shard of `train({ workers })`: the existing per-shard math, `forwardSteps → tbptt`
 * over a shard's columns, driven synchronously one window at a time (on the calling
 * thread for shard 0, in a worker for the others).
 *
 * @module
 */
import { Observable } from "../deps.ts";
import type { Subscriber } from "../deps.ts";
import type { RecurrentCell } from "../cells/recurrent_cell.ts";
import type { GradSet, ParamSet } from "../cells/types.ts";
import type { Backend } from "../kernels/backend.ts";
import type { Matrix } from "../math/matrix.ts";
import { forwardSteps } from "./forward_steps.ts";
import type { Sample, StepRecord } from "./forward_steps.ts";
import { tbptt } from "./tbptt.ts";
import type { TbpttWindow } from "./tbptt.ts";

/** Options of {@linkcode openShard}. */
export interface ShardOptions<P extends ParamSet, G extends GradSet, C> {
  /** The shard's live parameters (in `backend`'s memory). */
  params: P;
  cell: RecurrentCell<P, G, C>;
  backend: Backend;
  k1: number;
  k2: number;
  /** Index of the shard's first step. */
  startIndex: number;
  /** The shard's state before its first step. */
  a0?: Matrix;
  /** The shard's part of a resumed ring, oldest first. */
  history?: StepRecord<C>[];
}

/** A shard's pipeline, fed one window at a time. */
export interface Shard<G extends GradSet, C> {
  /** Pushes a window's samples through; returns the window that the last one closed. */
  run(samples: readonly Sample[]): TbpttWindow<G, C>;
  /** The newest window (its history() is valid until the next run). */
  readonly last: TbpttWindow<G, C> | null;
  /** Unsubscribes the pipeline (releases its ring and caches). */
  close(): void;
}

/** Opens a shard: a synchronous `forwardSteps → tbptt` subscription with its own state. */
export function openShard<P extends ParamSet, G extends GradSet, C>(
  options: ShardOptions<P, G, C>,
): Shard<G, C> {
  const { params, cell, backend, k1, k2, startIndex, a0, history } = options;
  let sink: Subscriber<Sample> | null = null;
  let last: TbpttWindow<G, C> | null = null, closed: TbpttWindow<G, C> | null = null;
  let failure: { error: unknown } | null = null;
  const subscription = new Observable<Sample>((s) => {
    sink = s;
  }).pipe(
    forwardSteps({ params, cell, backend, a0, startIndex, pool: k2 + 1 }),
    tbptt({ params, k1, k2, cell, backend, history }),
  ).subscribe({
    next: (w) => closed = w,
    error: (error) => failure = { error },
  });
  return {
    run(samples) {
      closed = null;
      for (const sample of samples) {
        if (failure !== null) break;
        sink!.next(sample);
      }
      if (failure !== null) throw failure.error;
      if (closed === null) throw new Error(`a shard closed no window after ${samples.length} steps`);
      return last = closed;
    },
    get last() {
      return last;
    },
    close() {
      subscription.unsubscribe();
      last = closed = null;
    },
  };
}
