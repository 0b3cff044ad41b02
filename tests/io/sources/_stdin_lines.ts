// Child process of from_stdin_test.ts: reads CSV from stdin, prints the records and counters as JSON.
// With the argument "twice" it subscribes a second time after the first one and prints that error.
import { lastValueFrom, toArray } from "rxjs";
import { createFeedStats, fromStdin, parseCsv } from "../../../mod.ts";

const stats = createFeedStats();
const records = await lastValueFrom(fromStdin().pipe(parseCsv({ header: true, stats }), toArray()));
const result: Record<string, unknown> = { values: records.map((r) => r.values), skipped: stats.skipped };
if (Deno.args[0] === "twice") {
  const again = await lastValueFrom(fromStdin().pipe(toArray())).catch((e: Error) => e);
  result.again = again instanceof Error ? `${again.name}: ${again.message}` : again;
}
console.log(JSON.stringify(result));
