/**
 * Fault case: finite but huge values (1e300) in a feed.
 *
 * @module
 */
import { from, lastValueFrom, toArray } from "rxjs";
import { createFeedStats, parseNdjson, StreamMetrics } from "../../mod.ts";
import type { FaultCase, FaultResult } from "./_case.ts";

/** 1,000 readings of which 100 are 1e300 or -1e300: the huge ones are skipped, the metrics stay finite. */
const hugeValues: FaultCase = {
  name: "huge-values (1e300)",
  async run(): Promise<FaultResult> {
    const stats = createFeedStats();
    const lines = Array.from(
      { length: 1000 },
      (_, i) => `{"v":${i % 10 === 3 ? (i % 20 === 3 ? 1e300 : -1e300) : i}}`,
    );
    const records = await lastValueFrom(from(lines).pipe(parseNdjson({ fields: ["v"], stats }), toArray()));
    const metrics = new StreamMetrics("regression", { window: 100 });
    let previous = 0;
    for (const r of records) {
      const e = r.values[0] - previous;
      metrics.add({ a: Math.abs(e), b: e * e, n: 1 });
      previous = r.values[0];
    }
    // a score that would overflow even so (a model gone wild) is refused, not summed
    metrics.add({ a: 1e300, b: 1e300 * 1e300, n: 1 });
    const total = metrics.total(), window = metrics.window();
    const finite = [total.mae, total.rmse, window.mae, window.rmse].every((v) => Number.isFinite(v));
    const handled = (finite ? stats.skipped : 0) + (metrics.rejected === 1 ? 1 : 0);
    return {
      tried: 101,
      handled,
      lost: Math.abs(900 - records.length), // valid readings that did not come through
      note: `skipped ${stats.skipped}, metrics finite: ${finite} (rmse ${total.rmse!.toFixed(1)})`,
    };
  },
};

/** The huge-value cases. */
export const hugeValueCases: FaultCase[] = [hugeValues];
