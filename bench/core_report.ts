/**
 * Prints the speed of the RNN core in a plain loop (one TBPTT window per run, see
 * `_core_work.ts`) as steps/s, column-steps/s and GFLOP/s of the matrix products.
 *
 *     deno run bench/core_report.ts [seconds per workload, default 5]
 *
 * Each workload is warmed up, then timed in slices of at least 100 ms (and one
 * window): the table shows the median slice, the best slice, and the share of wall
 * time the process spent on a CPU. On a shared machine the median drifts with the
 * neighbours' load (even at a 100% CPU share, a busy sibling hyperthread slows every
 * instruction); the best slice is the closest to the machine's quiet speed.
 *
 * @module
 */
import process from "node:process";
import { createBackend } from "../src/kernels/mod.ts";
import "../src/kernels/wasm/mod.ts";
import { B1, B2, makePlainLoop } from "./_core_work.ts";
import type { PlainLoopOptions } from "./_core_work.ts";

const seconds = Number(Deno.args[0] ?? 5);
if (!(seconds > 0)) {
  throw new RangeError(`Cannot run core_report as 'seconds' must be > 0: current value is ${seconds}`);
}

interface Rates {
  /** Median slice, ms per window. */
  ms: number;
  /** Median and best slice, steps per second. */
  steps: number;
  best: number;
  /** CPU time over wall time. */
  cpuShare: number;
}

/** Times windows in slices of at least 100 ms after a warm-up. */
function measure(run: () => number, stepsPerWindow: number): Rates {
  const warmUntil = performance.now() + Math.min(1500, seconds * 250);
  while (performance.now() < warmUntil) run();
  const slices: number[] = [];
  const cpu = process.cpuUsage();
  const start = performance.now();
  while (performance.now() - start < seconds * 1000 || slices.length < 5) {
    const t0 = performance.now();
    let windows = 0, t1 = t0;
    while (t1 - t0 < 100) {
      run();
      windows++;
      t1 = performance.now();
    }
    slices.push((t1 - t0) / windows);
  }
  const used = process.cpuUsage(cpu);
  const wall = performance.now() - start;
  slices.sort((a, b) => a - b);
  const ms = slices[Math.floor(slices.length / 2)];
  return {
    ms,
    steps: stepsPerWindow * 1000 / ms,
    best: stepsPerWindow * 1000 / slices[0],
    cpuShare: (used.user + used.system) / 1000 / wall,
  };
}

const int = (v: number): string => Math.round(v).toLocaleString("en-US");
const rows: string[][] = [[
  "bench",
  "backend",
  "sizes",
  "ms/window",
  "steps/s",
  "best steps/s",
  "column-steps/s",
  "GFLOP/s",
  "best GFLOP/s",
  "CPU share",
]];
const BACKENDS = ["js", "wasm-f64", "wasm-f32"];
for (const [name, options] of [["B1", B1], ["B2", B2]] as [string, PlainLoopOptions][]) {
  for (const backend of BACKENDS) {
    const loop = makePlainLoop({ ...options, backend: createBackend(backend) });
    const r = measure(loop.runWindow, loop.steps);
    const { nx, na, ny, m, k, tokens } = options;
    rows.push([
      name,
      backend,
      `nx=${nx} na=${na} ny=${ny} m=${m} k=${k} ${tokens ? "tokens" : "dense"}`,
      r.ms.toFixed(3),
      int(r.steps),
      int(r.best),
      int(r.steps * loop.columns),
      (r.steps * loop.flopsPerStep / 1e9).toFixed(2),
      (r.best * loop.flopsPerStep / 1e9).toFixed(2),
      `${Math.round(100 * r.cpuShare)}%`,
    ]);
  }
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
for (const r of rows) {
  console.log(r.map((cell, c) => c <= 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])).join("  "));
}
console.log(
  "One window = forward k + backward k steps (loss at every step) + SGD update; one thread\n" +
    "(js, wasm-f64: float64; wasm-f32: float32 products).\n" +
    "GFLOP/s counts the matrix products only, 2 flops per multiply-add: " +
    "2·m·(3·na² + 3·ny·na + (tokens ? 0 : 2·na·nx)) per step.",
);
