/** `parseMetricsLog()` and `openMetricsLog()`. */
import { assertEquals, assertThrows } from "@std/assert";
import { parseMetricsLog } from "../../../src/cli/dashboard/metrics.ts";
import { openMetricsLog } from "../../../src/cli/dashboard/metrics_log.ts";
import type { Metrics } from "../../../src/cli/dashboard/metrics.ts";

const POINT: Metrics = {
  kind: "train",
  step: 10,
  time: 0.5,
  bitsPerChar: 4.5,
  meanLoss: 3.1,
  gradNorm: 0.4,
  stepsPerSecond: 100,
  learningRate: 0.005,
};

Deno.test("openMetricsLog() writes one JSON line per message that parseMetricsLog() reads back", async () => {
  const path = await Deno.makeTempFile({
    dir: await Deno.mkdir(".tmp", { recursive: true }).then(() => ".tmp"),
    suffix: ".jsonl",
  });
  try {
    const log = openMetricsLog(path);
    log.write(POINT);
    log.write({ ...POINT, step: 20, heldOut: 4.2, sample: "emma" });
    log.close();
    log.write(POINT); // closed: ignored
    const text = await Deno.readTextFile(path);
    assertEquals(text.split("\n").length, 3);
    assertEquals(parseMetricsLog(text), [POINT, { ...POINT, step: 20, heldOut: 4.2, sample: "emma" }]);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("parseMetricsLog() names the first line that is not a metrics object", () => {
  assertThrows(() => parseMetricsLog(`${JSON.stringify(POINT)}\n{"step":1}\n`), TypeError, "line 2");
  assertThrows(() => parseMetricsLog("not json"), TypeError, "line 1");
});

Deno.test("openMetricsLog() fails with one line naming the file", () => {
  assertThrows(() => openMetricsLog("/nonexistent-dir/run.jsonl"), Error, "cannot write the metrics log");
});
