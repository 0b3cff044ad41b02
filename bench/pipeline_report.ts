/**
 * The RxJS pipeline against the same math in a plain loop, and memory over a long stream.
 *
 *     deno run --allow-read --v8-flags=--expose-gc bench/pipeline_report.ts [seconds] [memory-steps]
 *
 * 1. Throughput: `train()` (TBPTT(k, k), SGD, summed loss, no clipping) against
 *    `makePlainLoop()` at B1 and B2; the ratio is plain-loop steps/s ÷ pipeline steps/s.
 * 2. Memory: `memory-steps` (default 2,000,000) steps of `train()` at B1 size with
 *    k1 = 25, k2 = 50; heap used (after a full GC) at step 10,000 and at the end.
 *
 * @module
 */
import { B1, B2, makePlainLoop } from "./_core_work.ts";
import type { PlainLoopOptions } from "./_core_work.ts";
import { runPipeline } from "./_pipeline_work.ts";

const seconds = Number(Deno.args[0] ?? 4);
const memorySteps = Number(Deno.args[1] ?? 2_000_000);
const gc = (globalThis as { gc?: () => void }).gc;

function plainRate(options: PlainLoopOptions, ms: number): number {
  const loop = makePlainLoop(options);
  const warm = performance.now() + Math.min(1000, ms / 3);
  while (performance.now() < warm) loop.runWindow();
  let windows = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    loop.runWindow();
    windows++;
  }
  return windows * loop.steps / ((performance.now() - start) / 1000);
}

function pipelineRate(options: PlainLoopOptions, ms: number): number {
  // size the run from a short probe, then time a run of about `ms`
  let probe = 0;
  const t0 = performance.now();
  runPipeline(options, (options.k ?? 25) * 20, () => probe++);
  const perStep = (performance.now() - t0) / ((options.k ?? 25) * 20);
  runPipeline(options, Math.ceil(Math.min(1000, ms / 3) / perStep)); // warm-up
  const steps = Math.max((options.k ?? 25) * 10, Math.ceil(ms / perStep));
  const start = performance.now();
  runPipeline(options, steps);
  return steps / ((performance.now() - start) / 1000);
}

console.log("Throughput (one thread, float64)");
console.log("bench  plain loop steps/s  train() steps/s  ratio (plain/train)");
for (const [name, options] of [["B1", B1], ["B2", B2]] as const) {
  // alternate the two so machine noise hits both alike
  const plain: number[] = [], piped: number[] = [];
  for (let r = 0; r < 3; r++) {
    plain.push(plainRate(options, seconds * 1000 / 3));
    piped.push(pipelineRate(options, seconds * 1000 / 3));
  }
  const p = median(plain), q = median(piped);
  console.log(
    `${name.padEnd(5)}  ${Math.round(p).toLocaleString("en-US").padStart(18)}  ${
      Math.round(q).toLocaleString("en-US").padStart(15)
    }  ${(p / q).toFixed(3).padStart(19)}`,
  );
}

console.log(`\nMemory: ${memorySteps.toLocaleString("en-US")} steps at B1 size, k1 = 25, k2 = 50`);
if (gc === undefined) console.log("(run with --v8-flags=--expose-gc for heap figures after a full GC)");
let atStart = 0, atEnd = 0, last = 0;
const started = performance.now();
runPipeline(B1, memorySteps, (e) => {
  last = e.step;
  if (e.step === 10_000 || e.step === memorySteps) {
    gc?.();
    const used = Deno.memoryUsage().heapUsed;
    if (e.step === 10_000) atStart = used;
    else atEnd = used;
  }
}, 50);
const mb = (b: number) => (b / 1048576).toFixed(2);
console.log(
  `heap used at step 10,000: ${mb(atStart)} MB; at step ${last.toLocaleString("en-US")}: ${mb(atEnd)} MB`,
);
console.log(
  `difference: ${mb(atEnd - atStart)} MB over ${((performance.now() - started) / 1000).toFixed(1)} s`,
);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
