/**
 * The eight matrix products of a B2 step (n_x = n_y = 128, n_a = 256, m = 32) alone, per
 * backend, in GFLOP/s (median and best slice): where the time of `bench:torch`'s B2 row
 * goes. Slices (at least 50 ms each) are timed in the process's CPU time
 * (`process.cpuUsage()`), which leaves out the time it waited for a core: on a shared
 * machine that is much steadier than wall time, and on a quiet one the two agree.
 *
 *     deno run bench/gemm_report.ts [seconds per product, default 1]
 *
 * Operands are resident (allocated with the backend's `alloc`), as in training.
 *
 * @module
 */
import process from "node:process";
import { createBackend } from "../src/kernels/mod.ts";
import type { Backend } from "../src/kernels/mod.ts";

const seconds = Number(Deno.args[0] ?? 1);
if (!(seconds > 0)) {
  throw new RangeError(`Cannot run gemm_report as 'seconds' must be > 0: current value is ${seconds}`);
}

type Op = "gemm" | "gemmTN" | "gemmNT";
/** [label, op, r, k, n]: the eight products of one B2 step (forward, then backward). */
const SHAPES: [string, Op, number, number, number][] = [
  ["Waa·a", "gemm", 256, 256, 32],
  ["Wax·x", "gemm", 256, 128, 32],
  ["Wya·a", "gemm", 128, 256, 32],
  ["dz2·aᵀ", "gemmNT", 128, 256, 32],
  ["Wyaᵀ·dz2", "gemmTN", 128, 256, 32],
  ["dz1·xᵀ", "gemmNT", 256, 128, 32],
  ["dz1·aᵀ", "gemmNT", 256, 256, 32],
  ["Waaᵀ·dz1", "gemmTN", 256, 256, 32],
];

function sizes(op: Op, r: number, k: number, n: number): [number, number, number] {
  if (op === "gemm") return [r * k, k * n, r * n];
  if (op === "gemmTN") return [r * k, r * n, k * n];
  return [r * n, k * n, r * k];
}

/** Median and best GFLOP/s (of CPU time) over slices of at least 50 ms. */
function gflops(backend: Backend, op: Op, r: number, k: number, n: number): [number, number] {
  const [la, lb, lc] = sizes(op, r, k, n);
  const A = backend.alloc(la), B = backend.alloc(lb), C = backend.alloc(lc);
  for (let q = 0; q < la; q++) A[q] = Math.sin(q);
  for (let q = 0; q < lb; q++) B[q] = Math.cos(q);
  const run = () => backend[op](r, k, n, A, B, C);
  const warm = performance.now() + 300;
  while (performance.now() < warm) run();
  const slices: number[] = [];
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    const t0 = performance.now(), cpu = process.cpuUsage();
    let calls = 0, t1 = t0;
    while (t1 - t0 < 50) {
      run();
      calls++;
      t1 = performance.now();
    }
    const used = process.cpuUsage(cpu);
    slices.push((used.user + used.system) / 1000 / calls);
  }
  slices.sort((a, b) => a - b);
  const rate = (ms: number) => 2 * r * k * n / (ms * 1e6);
  return [rate(slices[Math.floor(slices.length / 2)]), rate(slices[0])];
}

const names = ["js", "wasm-f64", "wasm-f32"];
console.log(
  `GFLOP/s of CPU time, median (best) slice\n${
    [
      "product ",
      "shape".padEnd(20),
      ...names.map((n) => n.padStart(14)),
    ].join("  ")
  }`,
);
for (const [label, op, r, k, n] of SHAPES) {
  const cells = names.map((name) => {
    const [median, best] = gflops(createBackend(name), op, r, k, n);
    return `${median.toFixed(1)} (${best.toFixed(1)})`.padStart(14);
  });
  console.log([label.padEnd(8), `${op}(${r},${k},${n})`.padEnd(20), ...cells].join("  "));
}
