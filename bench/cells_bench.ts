/**
 * One TBPTT window (k = 32, m = 32, n_a = 256, n_x = n_y = 128, dense inputs, token
 * targets: the B2 size) of the vanilla RNN, the GRU and the LSTM, on the js and wasm-f64
 * backends, per `deno bench`. Divide k = 32 by the time per window for steps/s;
 * `deno task bench:cells` prints steps/s.
 *
 * @module
 */
import { createBackend } from "../src/kernels/create_backend.ts";
import { cellFromOptions } from "../src/cells/create_cell.ts";
import { CELLS_B2, makeCellLoop } from "./_cells_work.ts";

const { nx, na, ny, m, k } = CELLS_B2;
for (const backend of ["js", "wasm-f64"]) {
  for (const name of ["rnn", "gru", "lstm"] as const) {
    const loop = makeCellLoop(cellFromOptions({ cell: name }), createBackend(backend), CELLS_B2);
    Deno.bench({
      name: `B2 cells window (k=${k}, m=${m}, n_a=${na}, n_x=${nx}, n_y=${ny}), ${name}, ${backend}`,
      group: `B2 cells ${backend}`,
      baseline: name === "rnn",
      n: 6,
      warmup: 2,
      fn() {
        loop.runWindow();
      },
    });
  }
}
