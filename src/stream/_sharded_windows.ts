/**
 * `forwardSteps → tbptt` with a window's m columns split between threads, for
 * `train({ workers })`. Samples are checked on the calling thread and buffered until a
 * window closes; then each worker gets its columns of the window's samples, the calling
 * thread runs shard 0 itself, waits for the workers (one synchronisation per window),
 * and emits one window whose loss and gradients are the shards' summed in shard order.
 * The operator stays synchronous, so RxJS's contract holds as for the one-thread stages.
 *
 * @module
 */
import { Observable } from "../deps.ts";
import type { OperatorFunction } from "../deps.ts";
import type { ParamSlot, RecurrentCell } from "../cells/recurrent_cell.ts";
import type { GradSet, ParamSet } from "../cells/types.ts";
import type { Backend } from "../kernels/backend.ts";
import type { Matrix } from "../math/matrix.ts";
import { SampleGate } from "./_check_sample.ts";
import type { CheckedSample } from "./_check_sample.ts";
import { columnRanges, joinColumns, sliceColumns } from "./_columns.ts";
import type { ColumnRange } from "./_columns.ts";
import { openShard } from "./_shard.ts";
import type { Shard } from "./_shard.ts";
import { WorkerShards } from "./_worker_shards.ts";
import type { Sample, StepRecord } from "./forward_steps.ts";
import { subscribeLinked } from "./operate.ts";
import type { TbpttWindow } from "./tbptt.ts";

/** Options of {@linkcode shardedWindows} (checked by `train()`). */
export interface ShardedWindowsOptions<P extends ParamSet, G extends GradSet, C> {
  /** The live parameters, in `backend`'s memory. */
  params: P;
  cell: RecurrentCell<P, G, C>;
  /** The calling thread's backend (shard 0 runs on it). */
  backend: Backend;
  /** The backend's name (each worker creates its own). */
  backendName: string;
  /** Threads in all, >= 2. */
  workers: number;
  /** Milliseconds to wait for a worker's reply. */
  timeout: number;
  k1: number;
  k2: number;
  onInvalid: "error" | "skip";
  onSkip?: (error: Error, sample: unknown, index: number) => void;
  /** The state before the first step, all m columns. */
  a0?: Matrix;
  /** A resumed ring, all m columns, oldest first (not changed). */
  history?: readonly StepRecord<C>[];
  startIndex: number;
  startSkipped: number;
}

/** One subscription's shards, once m is known. */
interface Run<G extends GradSet, C> {
  window(samples: CheckedSample[], skipped: number, isCurrent: () => boolean): TbpttWindow<G, C>;
  close(): void;
}

/**
 * The sharded windows stage: samples in, merged TBPTT windows out (see the module doc).
 *
 * @returns An operator from samples to windows of all m columns.
 */
export function shardedWindows<P extends ParamSet, G extends GradSet, C>(
  options: ShardedWindowsOptions<P, G, C>,
): OperatorFunction<Sample, TbpttWindow<G, C>> {
  const { params, cell, k1, k2, workers, onInvalid, onSkip, startIndex, startSkipped, a0 } = options;
  return (source) =>
    new Observable<TbpttWindow<G, C>>((subscriber) => {
      // per-subscription state: the gate's counters, m, the window's samples, the shards
      const gate = new SampleGate(cell, params, {
        onInvalid,
        onSkip,
        allowUnlabeled: false,
        startReceived: startIndex + startSkipped,
        startSkipped,
      });
      let m: number | null = a0?.cols ?? null;
      let index = startIndex;
      let pending: CheckedSample[] = [];
      let run: Run<G, C> | null = null;
      // bumped by every accepted sample and by teardown: a window's history() refuses a state that has moved on
      let moves = 0;
      // the skipped count at each step of the rings (a merged record's `skipped`)
      const skippedAt = new Map<number, number>();
      for (const r of options.history ?? []) skippedAt.set(r.index, r.skipped);
      subscriber.add(() => {
        moves++;
        run?.close();
        run = null;
        pending = [];
        skippedAt.clear();
      });
      subscribeLinked(source, subscriber, {
        next(sample) {
          const checked = gate.admit(sample, m);
          if (checked === null) return;
          moves++;
          if (run === null) {
            if (workers > checked.m) {
              throw new RangeError(
                `Cannot run train() as 'workers' must be <= the batch columns m = ${checked.m}: current value is ${workers}`,
              );
            }
            m = checked.m;
            run = startRun(options, m, skippedAt);
          }
          pending.push(checked);
          skippedAt.set(index, gate.skipped);
          skippedAt.delete(index - k2 - k1);
          index++;
          // windows close at steps t = k1, 2·k1, … (1-based, counted across resumes), as in tbptt()
          if (index % k1 !== 0) return;
          const samples = pending, at = moves;
          pending = [];
          subscriber.next(run.window(samples, gate.skipped, () => moves === at));
        },
      });
    });
}

function startRun<P extends ParamSet, G extends GradSet, C>(
  options: ShardedWindowsOptions<P, G, C>,
  m: number,
  skippedAt: ReadonlyMap<number, number>,
): Run<G, C> {
  const { params, cell, backend, k1, k2, startIndex, workers, a0, history } = options;
  const ranges = columnRanges(m, workers);
  const widths = ranges.map((r) => r.to - r.from);
  const { nx, ny } = cell.sizes(params);
  // each shard's part of the starting state and of a resumed ring (its losses recomputed over its columns)
  const binding = cell.bind(backend);
  const a0s = ranges.map((r) => a0 === undefined ? undefined : sliceColumns(a0, m, r, "a0"));
  const histories = ranges.map((r) =>
    history?.map((record): StepRecord<C> => {
      const cache = sliceColumns(record.cache, m, r, "history.cache");
      const y = record.y === null ? null : sliceColumns(record.y, m, r, "history.y");
      return { index: record.index, cache, y, loss: y === null ? 0 : binding.loss(cache, y), skipped: 0 };
    })
  );
  const paramSlots = cell.slots(params, cell.zeroGrads(params));
  let shard0: Shard<G, C> | null = null;
  const pool = new WorkerShards({
    spec: cell.spec(),
    backend: options.backendName,
    k1,
    k2,
    startIndex,
    nx,
    ny,
    params,
    slots: paramSlots,
    ranges,
    a0s,
    histories: histories as (StepRecord<unknown>[] | undefined)[],
    timeout: options.timeout,
  });
  try {
    shard0 = openShard({ params, cell, backend, k1, k2, startIndex, a0: a0s[0], history: histories[0] });
  } catch (error) {
    pool.close();
    throw error;
  }
  const own = shard0;
  const merged = cell.zeroGrads(params);
  const mergedSlots: ParamSlot[] = cell.slots(params, merged);
  const shards = ranges.map((_, s) => s).slice(1);
  return {
    window(samples, skipped, isCurrent) {
      // the workers start first; the calling thread computes shard 0 meanwhile, then waits
      pool.dispatch(samples);
      const w0 = own.run(samples.map((s) => sliceSample(s, m, ranges[0])));
      const parts = shards.map((s) => pool.collect(s));
      // the same sums in a fixed order: per-shard column sums, then shard 0, 1, …
      let loss = w0.loss;
      for (const p of parts) loss += p.loss;
      const mine = cell.slots(params, w0.grads);
      let at = 0;
      mergedSlots.forEach((slot, j) => {
        const out = slot.grad, n = out.length;
        out.set(mine[j].grad);
        for (const p of parts) {
          const g = p.grads;
          for (let q = 0; q < n; q++) out[q] += g[at + q];
        }
        at += n;
      });
      const t = w0.t;
      return {
        t,
        loss,
        steps: w0.steps,
        labeled: w0.labeled,
        depth: w0.depth,
        columns: m,
        grads: merged,
        aLast: joinColumns([w0.aLast, ...parts.map((p) => p.aLast)], widths, "aLast"),
        skipped,
        history: () => {
          if (!isCurrent()) {
            throw new Error(
              `Cannot read the history of the window at step ${t}: the stream has moved on (call it before the next step)`,
            );
          }
          const rings = [w0.history(), ...shards.map((s) => pool.history(s) as StepRecord<C>[])];
          return rings[0].map((r, i) =>
            joinRecords(rings.map((ring) => ring[i]), widths, skippedAt.get(r.index) ?? r.skipped)
          );
        },
      };
    },
    close() {
      pool.close();
      own.close();
    },
  };
}

/** Columns `range` of a checked sample, as a sample (new arrays: the shard keeps them). */
function sliceSample(s: CheckedSample, m: number, range: ColumnRange): Sample {
  return {
    x: sliceColumns(s.x, m, range),
    y: s.y === null ? null : sliceColumns(s.y, m, range),
    reset: s.reset === null ? undefined : sliceColumns(s.reset, m, range),
  };
}

/** The shards' records of one step joined by columns (the loss summed in shard order). */
function joinRecords<C>(records: StepRecord<C>[], widths: readonly number[], skipped: number): StepRecord<C> {
  const index = records[0].index;
  let loss = 0;
  for (const r of records) {
    if (r === undefined || r.index !== index) {
      throw new RangeError(`Cannot join the shards' rings as they must hold the same steps: step ${index}`);
    }
    loss += r.loss;
  }
  return {
    index,
    cache: joinColumns(records.map((r) => r.cache), widths, "cache"),
    y: joinColumns(records.map((r) => r.y), widths, "y"),
    loss,
    skipped,
  };
}
