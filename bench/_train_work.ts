/**
 * The public `train()` on a plain-loop workload (`_core_work.ts`'s sizes and data): the
 * vanilla RNN, TBPTT(k, k), SGD on the summed loss, no clipping, so a window does the
 * same math as `makePlainLoop`'s plus what the pipeline adds (sample checks, the k2 ring,
 * the update stage) — and, with `workers` > 1, the split of the columns between threads.
 *
 * @module
 */
import { from, takeWhile } from "rxjs";
import { Matrix, Random, train } from "../mod.ts";
import type { Sample } from "../mod.ts";
import type { PlainLoopOptions } from "./_core_work.ts";

/** What to measure. */
export interface TrainWorkOptions {
  /** The kernel backend's name. */
  backend: string;
  /** Threads in all (`train({ workers })`). */
  workers: number;
  /** Seconds of measurement (after a warm-up of a second or two). */
  seconds: number;
}

/** Synthetic samples of a workload: `dataWindows` windows of k steps, cycled (dense normal or token inputs, token targets). */
function samplesOf(options: PlainLoopOptions, dataWindows = 4): Sample[] {
  const { nx, ny, m = 1, k = 25, tokens = true, seed = 0 } = options;
  const random = new Random(seed);
  return Array.from({ length: k * dataWindows }, () => {
    let x: Sample["x"];
    if (tokens) x = Int32Array.from({ length: m }, () => random.int(nx));
    else {
      const dense = new Matrix(nx, m);
      for (let q = 0; q < dense.data.length; q++) dense.data[q] = random.normal();
      x = dense;
    }
    return { x, y: Int32Array.from({ length: m }, () => random.int(ny)) };
  });
}

/**
 * Median steps/s of `train()` on the workload, over slices of at least 200 ms (whole
 * windows) after a warm-up (which also covers the workers' start), in one subscription to
 * an endless synchronous source.
 */
export function trainStepsPerSecond(workload: PlainLoopOptions, options: TrainWorkOptions): number {
  const { backend, workers, seconds } = options;
  const { nx, na, ny, k = 25, seed = 0 } = workload;
  const data = samplesOf(workload);
  function* endless(): Generator<Sample> {
    for (let i = 0;; i = (i + 1) % data.length) yield data[i];
  }
  const warmUntil = performance.now() + Math.min(2000, 500 + seconds * 250);
  const stopAt = warmUntil + seconds * 1000;
  const slices: number[] = [];
  let sliceStart = NaN, windows = 0;
  from(endless()).pipe(
    train({
      sizes: { nx, na, ny },
      seed,
      k1: k,
      k2: k,
      optimizer: { type: "sgd", learningRate: 0.01 },
      clip: {},
      reduction: "sum",
      backend,
      workers,
    }),
    takeWhile(() => performance.now() < stopAt || slices.length < 5),
  ).subscribe(() => {
    const now = performance.now();
    if (now < warmUntil) return;
    if (Number.isNaN(sliceStart)) {
      sliceStart = now;
      return;
    }
    windows++;
    if (now - sliceStart >= 200) {
      slices.push((now - sliceStart) / windows);
      sliceStart = now;
      windows = 0;
    }
  });
  slices.sort((a, b) => a - b);
  return k * 1000 / slices[Math.floor(slices.length / 2)];
}
