/**
 * Side by side: the RNN core of `_core_work.ts` on every backend, and PyTorch's
 * `nn.RNN` float32 on one thread with OpenBLAS (`bench/torch_rnn.py`), in the same run,
 * with steps/s, GFLOP/s of the matrix products and the ratios (ours over js and over
 * PyTorch, in steps/s; above 1 is faster).
 *
 *     deno task bench:torch [seconds per workload, default 5]
 *
 * (`--allow-run` unscoped: Deno asks for it to pass LD_LIBRARY_PATH.) Needs `/usr/bin/python3` with torch (Debian: `apt-get install -y python3-torch
 * libopenblas0-pthread`); OpenBLAS is taken from `/usr/lib/x86_64-linux-gnu/openblas-pthread`.
 * B1 trains with Adagrad and clipping in PyTorch, B2 with SGD; ours runs its SGD window
 * in both (the update is a small share of B1's window either way).
 *
 * Then B2 through the public `train()` (`_train_work.ts`: the same model and window, SGD, no
 * clipping) on both WebAssembly backends with `workers` 1 and 2 (2: the 32 columns split
 * between this thread and a Web Worker, which loads its module from `src/stream/`: hence
 * `--allow-read=.`), beside the same PyTorch figure.
 *
 * @module
 */
import { createBackend } from "../src/kernels/mod.ts";
import "../src/kernels/wasm/mod.ts";
import { B1, B2, makePlainLoop } from "./_core_work.ts";
import type { PlainLoopOptions } from "./_core_work.ts";
import { trainStepsPerSecond } from "./_train_work.ts";

const seconds = Number(Deno.args[0] ?? 5);
if (!(seconds > 0)) {
  throw new RangeError(`Cannot run torch_report as 'seconds' must be > 0: current value is ${seconds}`);
}

/** Median steps/s over slices of at least 100 ms, after a warm-up. */
function stepsPerSecond(run: () => number, steps: number): number {
  const warmUntil = performance.now() + Math.min(1500, seconds * 250);
  while (performance.now() < warmUntil) run();
  const slices: number[] = [];
  const start = performance.now();
  while (performance.now() - start < seconds * 1000 || slices.length < 5) {
    const t0 = performance.now();
    let n = 0, t1 = t0;
    while (t1 - t0 < 100) {
      run();
      n++;
      t1 = performance.now();
    }
    slices.push((t1 - t0) / n);
  }
  slices.sort((a, b) => a - b);
  return steps * 1000 / slices[Math.floor(slices.length / 2)];
}

const blas = "/usr/lib/x86_64-linux-gnu/openblas-pthread";
const torch = await new Deno.Command("/usr/bin/python3", {
  args: [new URL("torch_rnn.py", import.meta.url).pathname, String(seconds)],
  env: { LD_LIBRARY_PATH: blas, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" },
  stderr: "inherit",
}).output();
if (!torch.success) throw new Error("bench/torch_rnn.py failed (is python3-torch installed?)");
const theirs = new Map<string, { steps: number; torch: string }>();
for (const line of new TextDecoder().decode(torch.stdout).trim().split("\n")) {
  const r = JSON.parse(line);
  theirs.set(r.bench, r);
}

const rows: string[][] = [
  ["bench", "backend", "steps/s", "GFLOP/s", "vs js", "PyTorch steps/s", "PyTorch GFLOP/s", "vs PyTorch"],
];
for (const [name, options] of [["B1", B1], ["B2", B2]] as [string, PlainLoopOptions][]) {
  let js = NaN;
  for (const backend of ["js", "wasm-f64", "wasm-f32"]) {
    const loop = makePlainLoop({ ...options, backend: createBackend(backend) });
    const ours = stepsPerSecond(loop.runWindow, loop.steps), ref = theirs.get(name)!.steps;
    if (backend === "js") js = ours;
    // GFLOP/s of the matrix products (the same model on both sides: see matmulFlopsPerStep)
    const gflops = (steps: number) => (steps * loop.flopsPerStep / 1e9).toFixed(2);
    rows.push([
      name,
      backend,
      ours.toFixed(0),
      gflops(ours),
      `${(ours / js).toFixed(2)}×`,
      ref.toFixed(0),
      gflops(ref),
      `${(ours / ref).toFixed(2)}×`,
    ]);
  }
}
// B2 through train(), one thread and two (a row's "vs js" is against the plain-loop js row)
const jsB2 = Number(rows.find((r) => r[0] === "B2" && r[1] === "js")![2]);
const b2 = makePlainLoop({ ...B2, backend: createBackend("js") });
const runs = ["wasm-f64", "wasm-f32"].flatMap((backend) => [1, 2].map((workers) => ({ backend, workers })));
// one window of each run in turn: a shared machine's changing load falls on all four alike
const measured = trainStepsPerSecond(B2, runs, 4 * seconds);
runs.forEach(({ backend, workers }, i) => {
  const ours = measured[i], ref = theirs.get("B2")!.steps;
  const gflops = (steps: number) => (steps * b2.flopsPerStep / 1e9).toFixed(2);
  rows.push([
    "B2 train()",
    `${backend}, workers ${workers}`,
    ours.toFixed(0),
    gflops(ours),
    `${(ours / jsB2).toFixed(2)}×`,
    ref.toFixed(0),
    gflops(ref),
    `${(ours / ref).toFixed(2)}×`,
  ]);
});
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
for (const r of rows) {
  console.log(r.map((cell, c) => c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])).join("  "));
}
console.log(`PyTorch ${theirs.get("B1")!.torch}, float32, torch.set_num_threads(1), OpenBLAS from ${blas}.`);
