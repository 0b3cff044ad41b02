/** `startDashboard()`: the page, the SSE stream with its history, the JSON history. */
import { assert, assertEquals, assertStrictEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { startDashboard } from "../../../src/cli/dashboard/dashboard_server.ts";
import type { Metrics } from "../../../src/cli/dashboard/metrics.ts";

const point = (step: number): Metrics => ({
  kind: "train",
  step,
  time: step / 100,
  bitsPerChar: 4,
  meanLoss: 2.8,
  gradNorm: 1,
  stepsPerSecond: 100,
  learningRate: 0.01,
});

/** Reads SSE frames until `count` `metrics` events have arrived. */
async function readEvents(reader: ReadableStreamDefaultReader<string>, count: number): Promise<Metrics[]> {
  let text = "";
  const events = () => [...text.matchAll(/event: metrics\ndata: (.*)\n\n/g)].map((m) => JSON.parse(m[1]));
  while (events().length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  return events();
}

Deno.test("startDashboard() serves the page on 127.0.0.1 and pushes the history, then each message, over SSE", async () => {
  const dashboard = await startDashboard({ title: "a <run>", history: 3 });
  try {
    assert(/^http:\/\/127\.0\.0\.1:\d+\/$/.test(dashboard.url), dashboard.url);
    const page = await (await fetch(dashboard.url)).text();
    assertStringIncludes(page, "<title>a &lt;run&gt; · rxrnn dashboard</title>");
    assert(
      !/https?:\/\/(?!127)/.test(page.replace(/<!doctype[^>]*>/, "")),
      "no external address in the page",
    );
    for (const step of [10, 20, 30, 40]) dashboard.publish(point(step));
    const response = await fetch(new URL("events", dashboard.url));
    assertStrictEquals(response.headers.get("content-type"), "text/event-stream");
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const history = await readEvents(reader, 3);
    assertEquals(history.map((m) => (m as { step: number }).step), [20, 30, 40]);
    assertStrictEquals(dashboard.clients, 1);
    dashboard.publish(point(50));
    const next = await readEvents(reader, 1);
    assertEquals(next.map((m) => (m as { step: number }).step), [50]);
    await reader.cancel();
    const json = await (await fetch(new URL("metrics.json", dashboard.url))).json();
    assertEquals(json.map((m: { step: number }) => m.step), [30, 40, 50]);
    const missing = await fetch(new URL("nothing", dashboard.url));
    assertStrictEquals(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    await dashboard.close();
  }
});

Deno.test("startDashboard() rejects a bad port or history", async () => {
  let error: unknown;
  try {
    await startDashboard({ port: 70000 });
  } catch (e) {
    error = e;
  }
  assert(error instanceof RangeError && error.message.includes("'port' must be an integer in [0, 65535]"));
  await startDashboard({ history: 0 }).then(() => assert(false), (e) =>
    assertThrows(
      () => {
        throw e;
      },
      RangeError,
      "'history'",
    ));
});
