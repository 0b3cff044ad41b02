/**
 * Prints the speed of the RNN core in a plain loop (one TBPTT window per run, see
 * `_core_work.ts`) as steps/s, column-steps/s and GFLOP/s of the matrix products.
 *
 *     deno run bench/core_report.ts [seconds per workload, default 3]
 *
 * @module
 */
import { B1, B2, makePlainLoop } from "./_core_work.ts";
import type { PlainLoopOptions } from "./_core_work.ts";

const seconds = Number(Deno.args[0] ?? 3);
if (!(seconds > 0)) {
  throw new RangeError(`Cannot run core_report as 'seconds' must be > 0: current value is ${seconds}`);
}

/** Runs windows for about `seconds` after a warm-up; returns the measured rates. */
function measure(
  options: PlainLoopOptions,
): { steps: number; columnSteps: number; gflops: number; ms: number } {
  const loop = makePlainLoop(options);
  const warmUntil = performance.now() + Math.min(1000, seconds * 300);
  while (performance.now() < warmUntil) loop.runWindow();
  let windows = 0;
  const start = performance.now();
  let now = start;
  while (now - start < seconds * 1000) {
    loop.runWindow();
    windows++;
    now = performance.now();
  }
  const s = (now - start) / 1000;
  const steps = windows * loop.steps / s;
  return {
    steps,
    columnSteps: steps * loop.columns,
    gflops: steps * loop.flopsPerStep / 1e9,
    ms: s * 1000 / windows,
  };
}

const rows: string[][] = [["bench", "sizes", "ms/window", "steps/s", "column-steps/s", "GFLOP/s"]];
for (const [name, options] of [["B1", B1], ["B2", B2]] as const) {
  const r = measure(options);
  const { nx, na, ny, m, k, tokens } = options;
  rows.push([
    name,
    `nx=${nx} na=${na} ny=${ny} m=${m} k=${k} ${tokens ? "tokens" : "dense"}`,
    r.ms.toFixed(3),
    Math.round(r.steps).toLocaleString("en-US"),
    Math.round(r.columnSteps).toLocaleString("en-US"),
    r.gflops.toFixed(2),
  ]);
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
for (const r of rows) {
  console.log(r.map((cell, c) => c === 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])).join("  "));
}
console.log(
  "GFLOP/s counts the matrix products only: 2·m·(3·na² + 3·ny·na + (tokens ? 0 : 2·na·nx)) per step.",
);
