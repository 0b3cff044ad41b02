/**
 * Would `train({ workers: 2 })` pay? A measured prototype: B2's 32 columns split between
 * two workers (16 each, its own gradients), against one thread running all 32, on the
 * same backend. Each window the main thread signals both workers, waits for both, and
 * merges (adds) their gradients: one synchronisation per window, never one per kernel.
 * The gradient merge is timed separately on the B2 parameter count. This is an upper
 * bound of the gain: a real split also shares the parameters (a shared memory) and
 * splits the hidden state's columns, which this prototype leaves to each worker.
 *
 *     deno run --allow-read=. bench/workers_report.ts [seconds, default 5] [backend, default wasm-f64]
 *
 * @module
 */
import { createBackend } from "../src/kernels/mod.ts";
import { B2, makePlainLoop } from "./_core_work.ts";

const seconds = Number(Deno.args[0] ?? 5);
const backend = Deno.args[1] ?? "wasm-f64";
if (!(seconds > 0)) {
  throw new RangeError(`Cannot run workers_report as 'seconds' must be > 0: current value is ${seconds}`);
}
const m = B2.m!, k = B2.k!;

/** Median windows/s of `run` over slices of at least 200 ms, after a warm-up. */
async function windowsPerSecond(run: () => Promise<unknown> | unknown): Promise<number> {
  const warm = performance.now() + 1000;
  while (performance.now() < warm) await run();
  const slices: number[] = [];
  const start = performance.now();
  while (performance.now() - start < seconds * 1000 || slices.length < 5) {
    const t0 = performance.now();
    let n = 0, t1 = t0;
    while (t1 - t0 < 200) {
      await run();
      n++;
      t1 = performance.now();
    }
    slices.push((t1 - t0) / n);
  }
  slices.sort((a, b) => a - b);
  return 1000 / slices[Math.floor(slices.length / 2)];
}

// one thread, all columns
const single = makePlainLoop({ ...B2, backend: createBackend(backend) });
const one = await windowsPerSecond(() => single.runWindow());

// two workers, half the columns each, plus the merge of two gradient sets
const workers = [0, 1].map(() =>
  new Worker(new URL("./_workers_worker.ts", import.meta.url), { type: "module" })
);
const reply = (w: Worker) => new Promise<unknown>((resolve) => w.onmessage = (e) => resolve(e.data));
await Promise.all(workers.map((w, i) => {
  const r = reply(w);
  w.postMessage({ columns: m / 2, backend, seed: B2.seed! + i });
  return r;
}));
const { na, nx, ny } = B2;
const gradCount = na * nx + na * na + na + ny * na + ny;
const mine = new Float64Array(gradCount), theirs = new Float64Array(gradCount).fill(1e-3);
const merge = () => {
  for (let q = 0; q < gradCount; q++) mine[q] += theirs[q];
};
const two = await windowsPerSecond(async () => {
  await Promise.all(workers.map((w) => {
    const r = reply(w);
    w.postMessage({});
    return r;
  }));
  merge();
});
for (const w of workers) w.terminate();

const t0 = performance.now();
for (let i = 0; i < 200; i++) merge();
const mergeMs = (performance.now() - t0) / 200;

console.log(`backend ${backend}, B2 (m = ${m}, k = ${k}), ${navigator.hardwareConcurrency} logical CPUs`);
console.log(`one thread:  ${(one * k).toFixed(0)} steps/s`);
console.log(
  `two workers: ${(two * k).toFixed(0)} steps/s (${(two / one).toFixed(2)}×), merge ${
    mergeMs.toFixed(3)
  } ms/window`,
);
