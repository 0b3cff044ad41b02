/**
 * Online learning speed: sustained predict-and-learn throughput, and per-event latency
 * at a fixed feed rate.
 *
 *     deno run bench/live_report.ts [seconds] [rate]
 *
 * 1. Throughput: `prequential()` (linear head, n_a = 32, k1 = 1, k2 = 16, Adam) on a
 *    synthetic stream of 2 and 4 features, each reading the late label (delay 1) of the
 *    previous forecast — the live trainer's pattern; and the live trainer's learner
 *    (`LiveLearner.observe`: normalisation, scoring and anomaly flags on top) on 2
 *    features. Events per second over `seconds` after a warm-up. `prequential()` runs with
 *    its baselines (persistence and online AR per output, the default) and without them.
 * 2. Latency: a timer pushes `rate` (default 1,000) readings per second through
 *    `backpressure()` into `LiveLearner.observe`, as live.ts does; per reading, the time
 *    from its push to the end of its learning step: p50, p99 and max.
 *
 * @module
 */
import { Observable } from "../src/deps.ts";
import type { Subscriber } from "../src/deps.ts";
import { backpressure } from "../src/stream/backpressure.ts";
import { Matrix } from "../src/math/matrix.ts";
import { prequential } from "../src/online/prequential.ts";
import type { PrequentialInput } from "../src/online/prequential.ts";
import { Random } from "../src/math/random.ts";
import { LiveLearner } from "../src/online/live_learner.ts";

const seconds = Number(Deno.args[0] ?? 3);
const rate = Number(Deno.args[1] ?? 1000);

/** A smooth multi-feature series with noise (reading i, feature f). */
function reading(rng: Random, i: number, features: number): number[] {
  return Array.from({ length: features }, (_, f) => Math.sin(i / (5 + f)) + 0.05 * rng.normal());
}

function prequentialRate(features: number, ms: number, baselines = true): number {
  const rng = new Random(1);
  let feed!: Subscriber<PrequentialInput>;
  let last = -1;
  const sub = new Observable<PrequentialInput>((s) => (feed = s)).pipe(prequential({
    sizes: { nx: features, na: 32, ny: features },
    head: "linear",
    k1: 1,
    k2: 16,
    labelDelay: 1,
    optimizer: { type: "adam", learningRate: 0.002 },
    baselines,
  })).subscribe((e) => {
    if (e.kind === "step") last = e.index;
  });
  let i = 0;
  const step = () => {
    const z = new Matrix(features, 1, Float64Array.from(reading(rng, i++, features)));
    if (last >= 0) feed.next({ labelFor: last, y: z });
    feed.next({ x: z });
  };
  const warm = performance.now() + Math.min(1000, ms / 3);
  while (performance.now() < warm) step();
  const start = performance.now(), i0 = i;
  while (performance.now() - start < ms) for (let k = 0; k < 100; k++) step();
  const out = (i - i0) / ((performance.now() - start) / 1000);
  sub.unsubscribe();
  return out;
}

function learnerRate(ms: number): number {
  const rng = new Random(2);
  const learner = new LiveLearner({ features: ["a", "b"] });
  let i = 0;
  const step = () => learner.observe(String(i % 4), reading(rng, i++, 2), 0);
  const warm = performance.now() + Math.min(1000, ms / 3);
  while (performance.now() < warm) step();
  const start = performance.now(), i0 = i;
  while (performance.now() - start < ms) for (let k = 0; k < 100; k++) step();
  const out = (i - i0) / ((performance.now() - start) / 1000);
  learner.close();
  return out;
}

interface Latency {
  /** Push → learned, sorted. */
  total: number[];
  /** The learning step alone, sorted. */
  step: number[];
}

async function latency(perSecond: number, ms: number): Promise<Latency> {
  const rng = new Random(3);
  const learner = new LiveLearner({ features: ["a", "b"] });
  for (let i = 0; i < 2000; i++) learner.observe(String(i % 4), reading(rng, i, 2), 0); // warm-up
  const total: number[] = [], step: number[] = [];
  let i = 0;
  const source = new Observable<{ at: number; values: number[] }>((s) => {
    const t0 = performance.now();
    let sent = 0;
    // each tick pushes the readings due by now, each stamped when pushed
    const timer = setInterval(() => {
      const due = Math.floor((performance.now() - t0) * perSecond / 1000);
      for (; sent < due; sent++) s.next({ at: performance.now(), values: reading(rng, sent, 2) });
      if (performance.now() - t0 >= ms) {
        clearInterval(timer);
        s.complete();
      }
    }, 1);
    return () => clearInterval(timer);
  });
  await new Promise<void>((done) =>
    source.pipe(backpressure({ capacity: 1024, sliceSize: 128 })).subscribe({
      next(b) {
        const t = performance.now();
        learner.observe(String(i++ % 4), b.value.values, 0);
        const end = performance.now();
        total.push(end - b.value.at);
        step.push(end - t);
      },
      complete: done,
    })
  );
  learner.close();
  total.sort((a, b) => a - b);
  step.sort((a, b) => a - b);
  return { total, step };
}

const quantile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))].toFixed(3);

const ms = seconds * 1000;
console.log(`live learning, n_a = 32, k1 = 1, k2 = 16, linear head, Adam (${seconds} s per row)\n`);
console.log("| what | features | events/s |");
console.log("| --- | ---: | ---: |");
prequentialRate(2, 500); // JIT warm-up of the shared code
prequentialRate(2, 500, false);
for (const f of [2, 4]) {
  console.log(`| prequential() predict + late label + learn | ${f} | ${prequentialRate(f, ms).toFixed(0)} |`);
  console.log(`| the same, baselines: false | ${f} | ${prequentialRate(f, ms, false).toFixed(0)} |`);
}
console.log(`| LiveLearner.observe (+ normalise, score, flag) | 2 | ${learnerRate(ms).toFixed(0)} |`);
const lat = await latency(rate, ms);
console.log(
  `\nlatency at ${rate} events/s (timer → backpressure() → LiveLearner.observe), ${lat.total.length} events:\n`,
);
console.log("| measured | p50 ms | p99 ms | max ms |");
console.log("| --- | ---: | ---: | ---: |");
for (const [name, xs] of [["push → learned", lat.total], ["learning step alone", lat.step]] as const) {
  console.log(`| ${name} | ${quantile(xs, 0.5)} | ${quantile(xs, 0.99)} | ${xs[xs.length - 1].toFixed(3)} |`);
}
