/**
 * A child process for the fault suite: reads CSV lines from stdin through fromStdin()
 * and parseCsv(), then prints its counters, time and peak memory as one JSON line.
 *
 * @module
 */
import { createFeedStats, fromStdin, parseCsv } from "../../mod.ts";

const stats = createFeedStats();
const t0 = performance.now();
let peak = 0;
const timer = setInterval(() => peak = Math.max(peak, Deno.memoryUsage().rss), 20);
await new Promise<void>((resolve, reject) => {
  fromStdin({ stats }).pipe(parseCsv({ stats })).subscribe({ complete: resolve, error: reject });
});
clearInterval(timer);
peak = Math.max(peak, Deno.memoryUsage().rss);
console.log(
  JSON.stringify({ parsed: stats.parsed, skipped: stats.skipped, ms: performance.now() - t0, peak }),
);
