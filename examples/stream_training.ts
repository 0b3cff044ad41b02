/**
 * Streaming training on an endless generated stream.
 *
 * A seeded generator produces strings of the Reber grammar (B…E, a classic RNN test)
 * back to back, forever, in 4 parallel streams (the columns of each sample). `train()`
 * learns to predict the next symbol with TBPTT(k1 = 10, k2 = 20); the script prints the
 * falling loss and stops after a set time. At the branch points of the grammar a
 * perfect model is still unsure, so the loss floor is not zero: the script prints it.
 *
 * Run: deno task stream            (10 seconds)
 *      deno run examples/stream_training.ts 30
 */
import { Observable, takeUntil, timer } from "rxjs";
import { Random, train } from "../mod.ts";
import type { Sample } from "../mod.ts";

const SYMBOLS = "BTPSXVE";
// state → [symbol, next state] choices (state 6 emits E and the string ends)
const GRAMMAR: [string, number][][] = [
  [["B", 1]],
  [["T", 2], ["P", 3]],
  [["S", 2], ["X", 4]],
  [["T", 3], ["V", 5]],
  [["X", 3], ["S", 6]],
  [["P", 4], ["V", 6]],
  [["E", -1]],
];

// Symbols drawn, and how many of them were coin flips: the loss floor is ln 2 × flips / drawn.
const drawn = { symbols: 0, flips: 0 };

/** An endless Reber symbol stream: each call returns the next symbol index. */
function reberStream(random: Random): () => number {
  let state = 0;
  return () => {
    const choices = GRAMMAR[state === -1 ? 0 : state];
    drawn.symbols++;
    if (choices.length > 1) drawn.flips++;
    const [symbol, next] = choices[choices.length === 1 ? 0 : random.int(2)];
    state = next;
    return SYMBOLS.indexOf(symbol);
  };
}

/** Endless samples for m streams, produced in chunks so timers and Ctrl-C get through. */
function samples(m: number, seed: number): Observable<Sample> {
  return new Observable<Sample>((subscriber) => {
    const random = new Random(seed);
    const streams = Array.from({ length: m }, () => reberStream(random));
    let current = Int32Array.from(streams, (next) => next());
    let handle: ReturnType<typeof setTimeout> | undefined;
    const chunk = () => {
      for (let i = 0; i < 2000 && !subscriber.closed; i++) {
        const following = Int32Array.from(streams, (next) => next());
        subscriber.next({ x: current, y: following });
        current = following;
      }
      if (!subscriber.closed) handle = setTimeout(chunk, 0);
    };
    chunk();
    return () => clearTimeout(handle);
  });
}

const seconds = Number(Deno.args[0] ?? 10);
if (!(seconds > 0)) throw new RangeError(`The run time in seconds must be > 0: got ${Deno.args[0]}`);
console.log(`Training on an endless Reber-grammar stream for ${seconds} s (4 parallel streams)`);
console.log("steps      loss/symbol (smoothed)   steps/s");
let lastPrint = -Infinity;
samples(4, 1).pipe(
  train({
    sizes: { nx: 7, na: 32, ny: 7 },
    seed: 1,
    k1: 10,
    k2: 20,
    optimizer: { type: "adam", learningRate: 0.005 },
  }),
  takeUntil(timer(seconds * 1000)),
).subscribe({
  next(e) {
    const now = performance.now();
    if (now - lastPrint < 1000) return;
    lastPrint = now;
    const line = `${String(e.step).padEnd(10)} ${e.smoothLoss.toFixed(4).padEnd(24)} ${
      Math.round(e.stepsPerSecond)
    }`;
    console.log(line);
  },
  complete() {
    const floor = Math.LN2 * drawn.flips / drawn.symbols;
    console.log(
      `done. A uniform guess scores ln 7 = ${Math.log(7).toFixed(4)} nats/symbol; the grammar's own`,
    );
    console.log(
      `coin flips put the floor at ${
        floor.toFixed(4)
      } (ln 2 × ${drawn.flips} flips / ${drawn.symbols} symbols).`,
    );
  },
});
