// Child process of sources_file_test.ts: reads CSV from stdin, prints the records and counters as JSON.
import { lastValueFrom, toArray } from "rxjs";
import { createFeedStats, fromStdin, parseCsv } from "../mod.ts";

const stats = createFeedStats();
const records = await lastValueFrom(fromStdin().pipe(parseCsv({ header: true, stats }), toArray()));
console.log(JSON.stringify({ values: records.map((r) => r.values), skipped: stats.skipped }));
