/**
 * The public `train()` on a plain-loop workload (`_core_work.ts`'s sizes and data): the
 * vanilla RNN, TBPTT(k, k), SGD on the summed loss, no clipping, so a window does the
 * same math as `makePlainLoop`'s plus what the pipeline adds (sample checks, the k2 ring,
 * the update stage) — and, with `workers` > 1, the split of the columns between threads.
 *
 * Several runs are timed interleaved, one window each in turn, so that a shared machine's
 * changing load falls on all of them alike: each run is a live `train()` subscription fed
 * synchronously through a Subject, and a window is the k samples that close it.
 *
 * @module
 */
import { Subject } from "rxjs";
import { Matrix, Random, train } from "../mod.ts";
import type { Sample } from "../mod.ts";
import type { PlainLoopOptions } from "./_core_work.ts";

/** One run to time. */
export interface TrainRun {
  /** The kernel backend's name. */
  backend: string;
  /** Threads in all (`train({ workers })`). */
  workers: number;
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
 * Median steps/s of `train()` on the workload for each run, over its windows, timed in
 * turn (one window of each run, then the next round) after a warm-up that also covers the
 * workers' start, for `seconds` in all.
 */
export function trainStepsPerSecond(workload: PlainLoopOptions, runs: TrainRun[], seconds: number): number[] {
  const { nx, na, ny, k = 25, seed = 0 } = workload;
  const data = samplesOf(workload);
  const live = runs.map(({ backend, workers }) => {
    const samples = new Subject<Sample>();
    let windows = 0;
    const subscription = samples.pipe(
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
    ).subscribe({
      next: () => windows++,
      error: (e) => {
        throw e;
      },
    });
    let at = 0;
    const times: number[] = [];
    const window = (): number => {
      const before = windows, t0 = performance.now();
      for (let i = 0; i < k; i++) {
        samples.next(data[at]);
        at = (at + 1) % data.length;
      }
      if (windows !== before + 1) throw new Error("a window did not close");
      return performance.now() - t0;
    };
    return { window, times, subscription };
  });
  const warmUntil = performance.now() + Math.min(2000, 500 + seconds * 250);
  while (performance.now() < warmUntil) for (const run of live) run.window();
  const stopAt = performance.now() + seconds * 1000;
  while (performance.now() < stopAt || live[0].times.length < 5) {
    for (const run of live) run.times.push(run.window());
  }
  return live.map(({ times, subscription }) => {
    subscription.unsubscribe();
    times.sort((a, b) => a - b);
    return k * 1000 / times[Math.floor(times.length / 2)];
  });
}
