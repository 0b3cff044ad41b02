import { assert, assertEquals, assertGreater, assertRejects, assertThrows } from "@std/assert";
import { firstValueFrom, lastValueFrom, map, take, toArray } from "rxjs";
import type { Subscription } from "rxjs";
import {
  backpressure,
  createFeedStats,
  fromHttpLines,
  fromSse,
  fromWebSocket,
  Normalizer,
  parseNdjson,
} from "../../mod.ts";
import { parseFeedServerArgs, startFeedServer } from "../../tools/feed_server.ts";
import { loadSensorReadings } from "../../tools/_sensor_data.ts";
import { assertStrictEquals, assertStringIncludes } from "@std/assert";
import { assertOneLineError, run } from "../cli/_support.ts";

const FIELDS = ["seq", "reading", "mote_id", "humidity", "temperature", "label"];
const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

Deno.test("loadSensorReadings() loads the pinned npm data set in time order", async () => {
  const all = await loadSensorReadings();
  assertEquals(all.length, 18914);
  assertEquals(all.slice(0, 5).map((r) => [r.reading, r.mote_id]), [[1, 1], [1, 2], [1, 3], [1, 4], [2, 1]]);
  assertEquals(all[0], { reading: 1, mote_id: 1, indoor: 1, humidity: 45.93, temperature: 27.97, label: 0 });
  assertEquals(all.filter((r) => r.label === 1).length, 149);
});

Deno.test("startFeedServer() replays readings over WebSocket, SSE and NDJSON", async (t) => {
  const readings = (await loadSensorReadings()).slice(0, 40);
  const server = await startFeedServer({ port: 0, rate: 4000, tick: 5, readings });
  const base = `http://127.0.0.1:${server.port}`;
  try {
    await t.step("WebSocket: every reading in order, then a normal close completes the client", async () => {
      const records = await lastValueFrom(
        fromWebSocket(`${base.replace("http", "ws")}/ws`).pipe(parseNdjson({ fields: FIELDS }), toArray()),
      );
      assertEquals(records.map((r) => r.values[0]), readings.map((_, k) => k));
      records.forEach((r, k) => {
        const x = readings[k];
        assertEquals(r.values.slice(1), [x.reading, x.mote_id, x.humidity, x.temperature, x.label]);
      });
    });
    await t.step(
      "SSE: ?from= starts later, ids are the seq numbers, the end completes the client",
      async () => {
        const events = await lastValueFrom(
          fromSse(`${base}/sse?from=35`, { reconnectOnEnd: false }).pipe(toArray()),
        );
        assertEquals(events.map((e) => e.id), ["35", "36", "37", "38", "39"]);
        assertEquals(JSON.parse(events[0].data).temperature, readings[35].temperature);
      },
    );
    await t.step("SSE: a Last-Event-ID header resumes after that event", async () => {
      const res = await fetch(`${base}/sse`, { headers: { "Last-Event-ID": "7" } });
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = "";
      while (!text.includes("\n\n")) text += (await reader.read()).value;
      await reader.cancel();
      assert(text.startsWith("id: 8\ndata: "), text);
    });
    await t.step("NDJSON: the body streams the readings", async () => {
      const records = await lastValueFrom(fromHttpLines(`${base}/ndjson`).pipe(parseNdjson(), toArray()));
      assertEquals(records.length, 40);
    });
    await t.step("unknown paths are 404, a plain GET of /ws is 426", async () => {
      for (const [path, status] of [["/nope", 404], ["/ws", 426], ["/", 200]] as const) {
        const res = await fetch(`${base}${path}`);
        await res.body?.cancel();
        assertEquals(res.status, status);
      }
    });
  } finally {
    await server.shutdown();
  }
  await t.step("--loop keeps going past the last reading with growing seq numbers", async () => {
    const looping = await startFeedServer({
      port: 0,
      rate: 4000,
      tick: 5,
      readings: readings.slice(0, 10),
      loop: true,
    });
    try {
      const records = await firstValueFrom(
        fromHttpLines(`http://127.0.0.1:${looping.port}/ndjson`).pipe(
          parseNdjson({ fields: FIELDS }),
          take(25),
          toArray(),
        ),
      );
      assertEquals(records.map((r) => r.values[0]), Array.from({ length: 25 }, (_, k) => k));
      assertEquals(records[12].values[3], readings[2].humidity);
      await settle();
    } finally {
      await looping.shutdown();
    }
  });
  await t.step("shutdown ends connected clients (WebSocket code 1001) and finishes", async () => {
    const s = await startFeedServer({ port: 0, rate: 100, readings: readings.slice(0, 10), loop: true });
    let received = 0;
    const client = lastValueFrom(
      fromWebSocket(`ws://127.0.0.1:${s.port}/ws`, { reconnect: { maxRetries: 0 } }).pipe(
        map(() => received++),
      ),
    );
    await until("a first event", () => received > 0);
    await s.shutdown();
    await s.finished;
    await assertRejects(() => client, Error, "closed with code 1001");
  });
  await t.step("options and command-line arguments are checked", async () => {
    assertEquals(parseFeedServerArgs(["--port", "0", "--rate=50", "--loop"]), {
      port: 0,
      rate: 50,
      loop: true,
    });
    assertThrows(() => parseFeedServerArgs(["--speed", "3"]), TypeError, "Unknown option --speed");
    assertThrows(() => parseFeedServerArgs(["--port"]), TypeError, "Missing a value after --port");
    await assertRejects(
      () => startFeedServer({ rate: 0, readings }),
      RangeError,
      "'rate' must be a finite number > 0",
    );
    await assertRejects(() => startFeedServer({ readings: [] }), RangeError, "'readings' must not be empty");
  });
});

Deno.test("the feed composes: server → WebSocket → parseNdjson → backpressure → Normalizer", async () => {
  const readings = (await loadSensorReadings()).slice(0, 400);
  const server = await startFeedServer({ port: 0, rate: 20000, tick: 5, readings });
  try {
    const stats = createFeedStats();
    const norm = new Normalizer(2);
    const out = await lastValueFrom(
      fromWebSocket(`ws://127.0.0.1:${server.port}/ws`, { stats }).pipe(
        parseNdjson({ fields: ["humidity", "temperature"], stats }),
        backpressure({ capacity: 16, sliceSize: 4 }),
        map((e) => {
          norm.update(e.value.values);
          return { z: norm.transform(e.value.values), e };
        }),
        toArray(),
      ),
    );
    const last = out[out.length - 1].e;
    assertEquals([stats.parsed, stats.skipped, last.received, last.delivered + last.dropped], [
      400,
      0,
      400,
      400,
    ]);
    assertEquals(norm.count, last.delivered);
    assert(out.every(({ z }) => Number.isFinite(z[0]) && Number.isFinite(z[1])));
  } finally {
    await server.shutdown();
  }
});

/** Starts tools/feed_server.ts as a process and waits for its "listening" line. */
async function spawnFeedServer(port: number): Promise<{ child: Deno.ChildProcess; port: number }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--allow-net=127.0.0.1",
      new URL("../../tools/feed_server.ts", import.meta.url).pathname,
      "--port",
      String(port),
      "--rate",
      "200",
      "--loop",
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`feed server exited before listening: ${text}`);
    text += value;
  }
  await reader.cancel();
  const match = text.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
  assert(match, text);
  return { child, port: Number(match[1]) };
}

/** Waits until `ready()` (checked every 20 ms), failing after 15 s instead of hanging. */
async function until(what: string, ready: () => boolean): Promise<void> {
  const deadline = Date.now() + 15000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("tools/feed_server.ts can be killed and restarted mid-run: every client resumes with 0 duplicates and 0 missing", async () => {
  let { child, port } = await spawnFeedServer(0);
  const wsStats = createFeedStats(), sseStats = createFeedStats(), httpStats = createFeedStats();
  const wsSeqs: number[] = [], sseSeqs: number[] = [], httpSeqs: number[] = [];
  const reconnect = { initialDelay: 50, maxDelay: 250, jitter: 0.1, seed: 1 };
  const subs: Subscription[] = [];
  try {
    subs.push(
      // `?from=0` given once at the start must not be asked for again on reconnection
      fromWebSocket(`ws://127.0.0.1:${port}/ws?from=0`, { stats: wsStats, reconnect, resume: true })
        .pipe(parseNdjson({ fields: ["seq"] }))
        .subscribe((r) => wsSeqs.push(r.values[0])),
      fromHttpLines(`http://127.0.0.1:${port}/ndjson?from=0`, {
        stats: httpStats,
        reconnect,
        reconnectOnEnd: true,
        resume: { field: "seq", param: "from" },
      })
        .pipe(parseNdjson({ fields: ["seq"] }))
        .subscribe((r) => httpSeqs.push(r.values[0])),
      fromSse(`http://127.0.0.1:${port}/sse?from=0`, { stats: sseStats, reconnect })
        .pipe(map((e) => e.data), parseNdjson({ fields: ["seq"] }))
        .subscribe((r) => sseSeqs.push(r.values[0])),
    );
    const all = [wsSeqs, sseSeqs, httpSeqs];
    await until("events before the kill", () => all.every((s) => s.length >= 10));
    child.kill("SIGKILL");
    await child.status;
    const before = all.map((s) => s.length);
    ({ child } = await spawnFeedServer(port));
    await until("events after the restart", () => all.every((s, i) => s.length >= before[i] + 10));
    for (const stats of [wsStats, sseStats, httpStats]) assertGreater(stats.reconnects, 0);
    // each resumed after the last event it delivered: no gap, no repeat
    for (const seqs of all) assertEquals(seqs, seqs.map((_, k) => k));
  } finally {
    subs.forEach((s) => s.unsubscribe());
    child.kill("SIGKILL");
    await child.status;
    await settle();
  }
});

Deno.test("tools/feed_server.ts: --help, and a bad or busy port, each in one line without a stack trace", async (t) => {
  const feed = (...args: string[]) =>
    run(["run", "-q", "--no-prompt", "--allow-net=127.0.0.1", "tools/feed_server.ts", ...args]);
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = String((busy.addr as Deno.NetAddr).port);
    const [help, badPort, badRate, unknown, inUse] = await Promise.all([
      feed("--help"),
      feed("--port", "abc"),
      feed("--rate", "0"),
      feed("--speed", "3"),
      feed("--port", port),
    ]);
    await t.step("--help prints the usage on stdout and exits 0", () => {
      assertStrictEquals(help.code, 0, help.stderr);
      assertStringIncludes(help.stdout, "usage: deno run --allow-net=127.0.0.1 tools/feed_server.ts");
    });
    await t.step("bad values and unknown options exit 2", () => {
      assertOneLineError(badPort, 2, "'port' must be an integer in [0, 65535]: current value is NaN");
      assertOneLineError(badRate, 2, "'rate' must be a finite number > 0: current value is 0");
      assertOneLineError(unknown, 2, "Unknown option --speed");
    });
    await t.step("a port in use exits 1", () => {
      assertOneLineError(inUse, 1, `cannot listen on 127.0.0.1:${port}: it is in use`);
    });
  } finally {
    busy.close();
  }
});
