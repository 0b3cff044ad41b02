/**
 * Where a TBPTT window's time goes: the plain loop of `_core_work.ts` (B1 or B2) on one
 * backend, with every kernel call timed (`performance.now()` around each call, so the
 * totals include ~0.1 µs of timer per call), and the rest of the window (the loss, the
 * copies and fills of the cell math, the SGD loop of the bench) as "outside kernels".
 *
 *     deno run bench/window_profile.ts [B1|B2] [backend, default wasm-f64] [seconds, default 3]
 *
 * @module
 */
import { createBackend } from "../src/kernels/mod.ts";
import type { Backend } from "../src/kernels/mod.ts";
import { B1, B2, makePlainLoop } from "./_core_work.ts";

const [bench = "B2", name = "wasm-f64", secondsArg = "3"] = Deno.args;
const seconds = Number(secondsArg);
if (bench !== "B1" && bench !== "B2") {
  throw new RangeError(`Cannot run window_profile as 'bench' must be B1 or B2: current value is ${bench}`);
}
if (!(seconds > 0)) {
  throw new RangeError(`Cannot run window_profile as 'seconds' must be > 0: current value is ${seconds}`);
}

/** The backend with every method timed: label → [total ms, calls]. */
function timed(backend: Backend, totals: Map<string, [number, number]>): Backend {
  const out = { ...backend } as Record<string, unknown>;
  for (const [key, value] of Object.entries(backend)) {
    if (typeof value !== "function" || key === "alloc" || key === "ready") continue;
    const f = value as (...args: unknown[]) => void;
    out[key] = (...args: unknown[]) => {
      // label products by shape: op(r,k,n)
      const label = key.startsWith("gemm") ? `${key}(${args.slice(0, 3).join(",")})` : key;
      const t0 = performance.now();
      f(...args);
      const dt = performance.now() - t0;
      const entry = totals.get(label);
      if (entry === undefined) totals.set(label, [dt, 1]);
      else entry[0] += dt, entry[1]++;
    };
  }
  return out as unknown as Backend;
}

const totals = new Map<string, [number, number]>();
const loop = makePlainLoop({ ...(bench === "B1" ? B1 : B2), backend: timed(createBackend(name), totals) });
const warm = performance.now() + 1000;
while (performance.now() < warm) loop.runWindow();
totals.clear();
let windows = 0;
const t0 = performance.now();
while (performance.now() - t0 < seconds * 1000) loop.runWindow(), windows++;
const total = performance.now() - t0;
const steps = windows * loop.steps;
const perStep = (ms: number) => (1000 * ms / steps).toFixed(1).padStart(8);
const rows = [...totals].sort((a, b) => b[1][0] - a[1][0]);
let inKernels = 0;
console.log(`${bench} on ${name}: ${(steps / total * 1000).toFixed(0)} steps/s (timed), µs per step:`);
for (const [label, [ms, calls]] of rows) {
  inKernels += ms;
  const share = (100 * ms / total).toFixed(1).padStart(5);
  console.log(`${label.padEnd(24)} ${perStep(ms)} ${share}%  (${(calls / steps).toFixed(0)} calls/step)`);
}
const outside = total - inKernels;
console.log(
  `${"outside kernels".padEnd(24)} ${perStep(outside)} ${(100 * outside / total).toFixed(1).padStart(5)}%`,
);
console.log(`${"window".padEnd(24)} ${perStep(total)}`);
