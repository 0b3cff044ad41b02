/**
 * The same work as `_core_work.ts`'s plain loop, driven through `train()`: samples
 * from a synchronous Observable, TBPTT(k, k) windows, plain SGD, summed loss and no
 * clipping, so the difference is the cost of the RxJS pipeline (per-sample checks,
 * operator hand-offs, event objects, the global norm it always computes).
 *
 * @module
 */
import { Observable } from "rxjs";
import { train } from "../mod.ts";
import type { Sample, TrainEvent } from "../mod.ts";
import { Matrix } from "../src/math/matrix.ts";
import { initParams } from "../src/cells/rnn/params.ts";
import { Random } from "../src/math/random.ts";
import type { PlainLoopOptions } from "./_core_work.ts";

/** Synthetic samples of the given sizes, drawn like the plain loop's data. */
export function makeSamples(options: PlainLoopOptions, count: number): Sample[] {
  const { nx, ny, m = 1, tokens = true, seed = 0 } = options;
  const random = new Random(seed + 1000);
  const out: Sample[] = [];
  for (let t = 0; t < count; t++) {
    let x: Sample["x"];
    if (tokens) {
      const xt = new Int32Array(m);
      for (let j = 0; j < m; j++) xt[j] = random.int(nx);
      x = xt;
    } else {
      const xd = new Matrix(nx, m);
      for (let q = 0; q < xd.data.length; q++) xd.data[q] = random.normal();
      x = xd;
    }
    const y = new Int32Array(m);
    for (let j = 0; j < m; j++) y[j] = random.int(ny);
    out.push({ x, y });
  }
  return out;
}

/** A cold Observable that pushes `steps` samples (cycling through `samples`) synchronously. */
export function cycle(samples: readonly Sample[], steps: number): Observable<Sample> {
  return new Observable<Sample>((subscriber) => {
    for (let i = 0; i < steps && !subscriber.closed; i++) subscriber.next(samples[i % samples.length]);
    subscriber.complete();
  });
}

/** Runs `steps` steps of `train()` on the workload; calls `onEvent` for each window event. */
export function runPipeline(
  options: PlainLoopOptions,
  steps: number,
  onEvent: (e: TrainEvent) => void = () => {},
  k2?: number,
): void {
  const { nx, na, ny, k = 25, seed = 0, learningRate = 0.01 } = options;
  const params = initParams({ nx, na, ny }, { random: new Random(seed) });
  const samples = makeSamples(options, k * 4);
  cycle(samples, steps).pipe(
    train({
      params,
      k1: k,
      k2: k2 ?? k,
      optimizer: { type: "sgd", learningRate },
      reduction: "sum",
      clip: {},
    }),
  ).subscribe(onEvent);
}
