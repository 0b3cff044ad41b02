/**
 * One TBPTT window of the RNN core in a plain loop (forward k, backward k with a
 * loss at every step, SGD update, zero grads), per `deno bench`:
 *
 * - B1: n_x = n_y = 65, n_a = 100, m = 1, k = 25, token inputs and targets (min-char-rnn size);
 * - B2: n_x = n_y = 128, n_a = 256, m = 32, k = 32, dense inputs and token targets.
 *
 * Each group compares the blocked kernels in use with plain triple loops. Divide k by
 * the time per window for steps/s; `deno task bench:core` prints steps/s and GFLOP/s.
 *
 * @module
 */
import type { Backend } from "../src/kernels/backend.ts";
import { createJsBackend } from "../src/kernels/js_backend.ts";
import { createWasmF32Backend, createWasmF64Backend } from "../src/kernels/wasm/mod.ts";
import { B1, B2, makePlainLoop } from "./_core_work.ts";
import type { PlainLoopOptions } from "./_core_work.ts";
import { naiveKernels } from "./_naive_kernels.ts";

const RUNS: [string, PlainLoopOptions, number, number][] = [
  ["B1", B1, 2000, 200],
  ["B2", B2, 12, 3],
];
const KERNELS: [string, Backend, boolean][] = [
  ["blocked kernels", createJsBackend(), true],
  ["naive loop kernels", naiveKernels, false],
  ["wasm-f64 kernels", createWasmF64Backend(), false],
  ["wasm-f32 kernels", createWasmF32Backend(), false],
];

for (const [group, options, n, warmup] of RUNS) {
  const { nx, na, ny, m, k, tokens } = options;
  for (const [label, kernels, baseline] of KERNELS) {
    const loop = makePlainLoop({ ...options, backend: kernels });
    Deno.bench({
      name: `${group} window (k=${k}, m=${m}, n_a=${na}, n_x=${nx}, n_y=${ny}, ${
        tokens ? "tokens" : "dense"
      }), ${label}`,
      group,
      baseline,
      n,
      warmup,
      fn() {
        loop.runWindow();
      },
    });
  }
}
