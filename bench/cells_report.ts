/**
 * Steps per second of the vanilla RNN, the GRU and the LSTM at the B2 size (n_x = n_y =
 * 128, n_a = 256, m = 32, k = 32) on the js and wasm-f64 backends: the median of a few
 * timed windows after a warm-up. Run it with `deno task bench:cells`.
 *
 * @module
 */
import { createBackend } from "../src/kernels/create_backend.ts";
import { cellFromOptions } from "../src/cells/create_cell.ts";
import { CELLS_B2, makeCellLoop } from "./_cells_work.ts";

const WINDOWS = 5;
console.log(`| cell | backend | steps/s (B2: n_a 256, n_x = n_y 128, m 32, k 32) |`);
console.log(`| --- | --- | ---: |`);
for (const backend of ["js", "wasm-f64"]) {
  for (const name of ["rnn", "gru", "lstm"] as const) {
    const loop = makeCellLoop(cellFromOptions({ cell: name }), createBackend(backend), CELLS_B2);
    loop.runWindow();
    const times: number[] = [];
    for (let i = 0; i < WINDOWS; i++) {
      const start = performance.now();
      loop.runWindow();
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    console.log(`| ${name} | ${backend} | ${(CELLS_B2.k / (median / 1000)).toFixed(1)} |`);
  }
}
