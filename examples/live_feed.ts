/**
 * A live feed, learned one reading at a time (River style): for each mote reading from
 * the feed server's NDJSON stream, `predictOne()` forecasts the next temperature from
 * (humidity, temperature), then `learnOne()` learns the pair it just saw. The running
 * mean absolute error is printed every 200 readings; the state carries across readings.
 *
 * Run: deno task feed                       (in another terminal: the feed server on :8080)
 *      deno task example:live               (stops after 2000 readings)
 *      deno run --allow-net=127.0.0.1 examples/live_feed.ts http://127.0.0.1:8080/ndjson 5000
 */
import { bufferCount, map, take } from "rxjs";
import { fromHttpLines, Matrix, Model, parseNdjson, rnnCell } from "../mod.ts";

const url = Deno.args[0] ?? "http://127.0.0.1:8080/ndjson";
const limit = Number(Deno.args[1] ?? 2000);
const cell = rnnCell({ head: "linear" });
const model = new Model(cell, cell.init({ nx: 2, na: 16, ny: 1 }, { seed: 1 }), {
  learning: { optimizer: { type: "adam", learningRate: 0.005 } },
});
// scaled to about [-1, 1]: humidity around 40 %, temperature around 25 °C
const features = (v: number[]) => new Matrix(2, 1, Float64Array.of((v[0] - 40) / 20, (v[1] - 25) / 10));

let error = 0, seen = 0;
fromHttpLines(url).pipe(
  parseNdjson({ fields: ["humidity", "temperature"] }),
  map((r) => features(r.values)),
  bufferCount(2, 1),
  take(limit),
).subscribe({
  next([now, next]) {
    const target = Float64Array.of(next.data[1]);
    error += Math.abs(model.predictOne(now).data[0] - target[0]) * 10;
    model.learnOne(now, target);
    if (++seen % 200 === 0) {
      console.log(`${seen} readings: mean |error| ${(error / 200).toFixed(3)} °C`), error = 0;
    }
  },
  error: (e) => console.error(`feed failed: ${e.message} (is 'deno task feed' running?)`),
});
