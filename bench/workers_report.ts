/**
 * Does `train({ workers: 2 })` pay? The public `train()` on B2 (n_x = n_y = 128,
 * n_a = 256, m = 32, k = 32, dense inputs) with workers 1 and 2, on `"wasm-f64"` and
 * `"wasm-f32"`, in the same run: median steps/s over windows, the two runs of a backend
 * timed in turn (one window each, then the next round: a shared machine's changing load
 * falls on both alike), after a warm-up that covers the workers' start. With 2, the 32 columns split
 * 16 + 16 between the calling thread and one Web Worker: one synchronisation and one
 * gradient merge per window.
 *
 *     deno task bench:workers [seconds per row, default 5]
 *
 * (`--allow-read=.`: a worker loads its module from `src/stream/`.)
 *
 * @module
 */
import { B2 } from "./_core_work.ts";
import { trainStepsPerSecond } from "./_train_work.ts";

const seconds = Number(Deno.args[0] ?? 5);
if (!(seconds > 0)) {
  throw new RangeError(`Cannot run workers_report as 'seconds' must be > 0: current value is ${seconds}`);
}

const rows: string[][] = [["backend", "workers", "steps/s", "vs 1"]];
for (const backend of ["wasm-f64", "wasm-f32"]) {
  // one window of each in turn: the machine's load falls on both alike
  const [one, two] = trainStepsPerSecond(B2, [{ backend, workers: 1 }, { backend, workers: 2 }], 2 * seconds);
  rows.push([backend, "1", one.toFixed(1), "1.00×"]);
  rows.push([backend, "2", two.toFixed(1), `${(two / one).toFixed(2)}×`]);
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
console.log(`B2 (m = ${B2.m}, k = ${B2.k}) through train(), ${navigator.hardwareConcurrency} logical CPUs`);
for (const r of rows) {
  console.log(r.map((cell, c) => c < 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])).join("  "));
}
