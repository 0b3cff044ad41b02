/**
 * The live trainer under faults, with real processes: live.ts and tools/feed_server.ts
 * run as subprocesses on 127.0.0.1 (random free ports), killed with SIGKILL and
 * restarted. Every wait polls for a condition with a deadline; every process is killed
 * and awaited at the end.
 */
import { assert, assertEquals, assertGreater, assertLessOrEqual, assertMatch } from "@std/assert";
import { LiveLearner } from "../../src/online/live_learner.ts";
import { freePort } from "../../src/cli/_demo_server.ts";
import { decodeValue, encodeValue } from "../../src/io/checkpoint/codec.ts";
import { Random } from "../../mod.ts";
import { assertStrictEquals, assertStringIncludes } from "@std/assert";
import { withTmpDir } from "../_tmp_dir.ts";
import { assertOneLineError, liveReport, liveRun, main, READING, REPO } from "./_support.ts";

const ROOT = new URL("../../", import.meta.url);
const LIVE = new URL("live.ts", ROOT).pathname;
const FEED = new URL("tools/feed_server.ts", ROOT).pathname;

/** A subprocess whose output lines are collected as they come. */
class Proc {
  readonly out: string[] = [];
  readonly err: string[] = [];
  readonly #child: Deno.ChildProcess;
  readonly #pumps: Promise<void>[];
  readonly status: Promise<Deno.CommandStatus>;

  constructor(args: string[]) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args,
      cwd: ROOT.pathname,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#pumps = [pump(this.#child.stdout, this.out), pump(this.#child.stderr, this.err)];
    this.status = this.#child.status;
  }

  /** Polls `test` every 20 ms until it holds, or fails after `ms` with the output so far. */
  async waitFor(what: string, test: () => boolean, ms = 15000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!test()) {
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${what}\nstdout: ${this.out.slice(-5).join("\n")}\nstderr: ${
            this.err.slice(-5).join("\n")
          }`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  kill(signal: Deno.Signal = "SIGKILL"): void {
    try {
      this.#child.kill(signal);
    } catch { /* already exited */ }
  }

  /** Waits for the exit and the end of the output. */
  async done(): Promise<Deno.CommandStatus> {
    const status = await this.status;
    await Promise.all(this.#pumps);
    return status;
  }
}

async function pump(stream: ReadableStream<Uint8Array>, lines: string[]): Promise<void> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop()!;
    lines.push(...parts);
  }
  if (rest !== "") lines.push(rest);
}

const live = (...args: string[]) =>
  new Proc(["run", "--allow-net=127.0.0.1", "--allow-read=.", "--allow-write=.", LIVE, ...args]);

const feedServer = (port: number, rate: number) =>
  new Proc(["run", "--allow-net=127.0.0.1", FEED, "--port", String(port), "--rate", String(rate), "--loop"]);

/** The largest `events=N` in the status lines. */
const eventsSeen = (p: Proc) =>
  Math.max(
    0,
    ...p.out.map((l) => /^events=(\d+) /.exec(l)).filter((m) => m !== null).map((m) => Number(m![1])),
  );

const statusOf = (line: string, key: string) => Number(new RegExp(`${key}=(\\d+)`).exec(line)?.[1] ?? NaN);

async function startFeed(port: number, rate: number): Promise<Proc> {
  const server = feedServer(port, rate);
  await server.waitFor("the feed server to listen", () => server.out.some((l) => l.includes("listening")));
  return server;
}

async function tempFile(text: string, suffix: string): Promise<string> {
  await Deno.mkdir(new URL(".tmp/", ROOT), { recursive: true });
  const path = await Deno.makeTempFile({ dir: new URL(".tmp/", ROOT).pathname, suffix });
  await Deno.writeTextFile(path, text);
  return path;
}

const GOOD = (i: number) =>
  JSON.stringify({
    seq: i,
    mote_id: 1,
    humidity: 40 + Math.sin(i / 5),
    temperature: 20 + Math.cos(i / 7),
    label: 0,
  });

Deno.test("live.ts counts, shows and skips invalid lines, or stops on the first with --strict", async (t) => {
  const lines = [
    GOOD(0),
    "{oops",
    GOOD(1),
    '{"seq":2,"mote_id":1,"humidity":"wet","temperature":20,"label":0}',
    '{"seq":3,"mote_id":1,"humidity":null,"temperature":20,"label":0}',
    '{"seq":4,"mote_id":1,"humidity":41}',
    GOOD(5),
  ];
  const ndjson = await tempFile(lines.join("\n") + "\n", ".ndjson");
  const csv = await tempFile(
    "seq,mote_id,humidity,temperature,label\n0,1,40,20,0\n1,1,40.1\n2,1,abc,20,0\n3,1,NaN,20,0\n4,1,40.2,20.1,0\n",
    ".csv",
  );
  try {
    await t.step("NDJSON: malformed JSON, a non-number, NaN (null) and a missing field", async () => {
      const p = live("--file", ndjson);
      assertEquals((await p.done()).code, 0);
      const done = p.out.find((l) => l.startsWith("done: "))!;
      assertEquals([statusOf(done, "events"), statusOf(done, "skipped")], [3, 4]);
      assertEquals(p.err, [
        "skipped line 2: malformed JSON: {oops",
        `skipped line 4: field 'humidity' is not a number: wet: ${lines[3]}`,
        `skipped line 5: field 'humidity' is null (NaN?): ${lines[4]}`,
        `skipped line 6: missing field 'temperature': ${lines[5]}`,
      ]);
    });
    await t.step("CSV: a wrong field count, a non-number and NaN", async () => {
      const p = live("--file", csv);
      assertEquals((await p.done()).code, 0);
      const done = p.out.find((l) => l.startsWith("done: "))!;
      assertEquals([statusOf(done, "events"), statusOf(done, "skipped")], [2, 3]);
      assertEquals(p.err.length, 3);
      assertMatch(p.err[0], /^skipped line 3: expected 5 fields, got 3/);
      assertMatch(p.err[2], /^skipped line 5: .*NaN/);
    });
    await t.step("--show-invalid bounds how many are printed", async () => {
      const p = live("--file", ndjson, "--show-invalid", "1");
      assertEquals((await p.done()).code, 0);
      assertEquals(p.err.length, 1);
    });
    await t.step("--events stops after exactly that many readings", async () => {
      const p = live("--file", ndjson, "--events", "2");
      assertEquals((await p.done()).code, 0);
      assertEquals(statusOf(p.out.find((l) => l.startsWith("done: "))!, "events"), 2);
    });
    await t.step("--strict exits 1 naming the first invalid line", async () => {
      const p = live("--file", ndjson, "--strict");
      assertEquals((await p.done()).code, 1);
      assertEquals(p.err, ["error: Invalid line 2: malformed JSON: {oops"]);
    });
    await t.step("usage errors exit 2 with one line and no stack trace", async () => {
      for (const args of [["--bogus"], ["--url", "http://x"], ["--resume"], ["--events", "0"]]) {
        const p = live(...args);
        assertEquals((await p.done()).code, 2, args.join(" "));
        assertEquals(p.err.length, 1, p.err.join("\n"));
        assertMatch(p.err[0], /^error: live\.ts: /);
      }
    });
  } finally {
    await Deno.remove(ndjson);
    await Deno.remove(csv);
  }
});

Deno.test("live.ts reconnects when the feed server is killed and restarted, and keeps learning", async () => {
  const port = freePort();
  let server = await startFeed(port, 400);
  const trainer = live("--url", `ws://127.0.0.1:${port}/ws`, "--log-every", "20");
  try {
    await trainer.waitFor("80 events", () => eventsSeen(trainer) >= 80);
    server.kill("SIGKILL");
    await server.done();
    const atKill = eventsSeen(trainer);
    server = await startFeed(port, 400);
    await trainer.waitFor(
      "a reconnect and 100 more events",
      () => eventsSeen(trainer) >= atKill + 100 && trainer.out.some((l) => statusOf(l, "reconnects") >= 1),
    );
    trainer.kill("SIGTERM");
    assertEquals((await trainer.done()).code, 0);
    const done = trainer.out.find((l) => l.startsWith("done: "))!;
    assertGreater(statusOf(done, "reconnects"), 0);
    assertGreater(statusOf(done, "events"), atKill + 99);
  } finally {
    trainer.kill();
    server.kill();
    await trainer.done();
    await server.done();
  }
});

Deno.test("live.ts killed with SIGKILL resumes from its last periodic checkpoint, losing at most one period and one save", async () => {
  const port = freePort();
  const server = await startFeed(port, 200);
  const ckpt = await tempFile("", ".ckpt");
  await Deno.remove(ckpt);
  const every = 50;
  const args = [
    "--url",
    `ws://127.0.0.1:${port}/ws`,
    "--checkpoint",
    ckpt,
    "--every",
    String(every),
    "--log-every",
    "1",
  ];
  const first = live(...args);
  let second: Proc | null = null;
  try {
    // kill it between two checkpoints: half a period after one at >= 150 events
    const lastCheckpoint = () => Math.max(0, ...first.out.map((l) => statusOf(l, "checkpoint events") || 0));
    await first.waitFor(
      "half a period after a checkpoint at >= 150 events",
      () => lastCheckpoint() >= 150 && eventsSeen(first) >= lastCheckpoint() + every / 2,
    );
    first.kill("SIGKILL");
    assertEquals((await first.done()).signal, "SIGKILL");
    const consumed = eventsSeen(first);
    second = live(...args, "--resume");
    await second.waitFor("the resume line", () => second!.out.some((l) => l.startsWith("resumed from ")));
    const resumedAt = statusOf(second.out.find((l) => l.startsWith("resumed from "))!, "events");
    const lost = consumed - resumedAt;
    console.log(
      `events consumed before SIGKILL: ${consumed}; in the checkpoint: ${resumedAt}; lost: ${lost}`,
    );
    assert(resumedAt > 0, `checkpoint at ${resumedAt}`);
    assert(lost >= 0, `lost ${lost}`);
    // the promise: at most one period, plus the events learned during the save in flight at the kill
    assertLessOrEqual(lost, 2 * every);
    // it continues from there: the counter goes on from the checkpoint, and learning goes on
    await second.waitFor("100 events after the resume", () => eventsSeen(second!) >= resumedAt + 100);
    const firstStatus = second.out.find((l) => /^events=\d+ /.test(l))!;
    assertEquals(statusOf(firstStatus, "events"), resumedAt + 1);
    second.kill("SIGTERM");
    assertEquals((await second.done()).code, 0);
  } finally {
    first.kill();
    second?.kill();
    server.kill();
    await first.done();
    await second?.done();
    await server.done();
    await Deno.remove(ckpt).catch(() => {});
    await Deno.remove(`${ckpt}.tmp`).catch(() => {});
  }
});

Deno.test("live.ts keeps memory bounded when the feed is far faster than it learns (drop-oldest)", async () => {
  const port = freePort();
  const server = await startFeed(port, 100_000);
  // a slower model (n_a 64, k2 32) so that the feed outruns it by far
  const args = [
    "--url",
    `ws://127.0.0.1:${port}/ws`,
    "--time",
    "4",
    "--capacity",
    "256",
    "--log-every",
    "500",
  ];
  const trainer = live(...args, "--hidden", "64", "--k2", "32");
  try {
    assertEquals((await trainer.done()).code, 0, trainer.err.join("\n"));
    const lines = trainer.out.filter((l) => /^events=\d+ /.test(l));
    assertGreater(lines.length, 3);
    const heaps = lines.map((l) => Number(/heap=(\d+)MB/.exec(l)![1]));
    const last = lines.at(-1)!;
    console.log(`last status: ${last}`);
    assertGreater(statusOf(last, "dropped"), statusOf(last, "events"), "the feed outran the trainer");
    assert(lines.every((l) => statusOf(l, "lag") <= 256), "the queue stays within its capacity");
    assertLessOrEqual(Math.max(...heaps), 96, `heap ${heaps}`);
  } finally {
    trainer.kill();
    server.kill();
    await trainer.done();
    await server.done();
  }
});

Deno.test("live.ts stopped with --events and resumed from its checkpoint ends exactly as an uninterrupted run", async () => {
  const file = await tempFile(Array.from({ length: 300 }, (_, i) => GOOD(i)).join("\n") + "\n", ".ndjson");
  const ckpt = `${file}.ckpt`;
  // the report without its timing fields
  const report = (p: Proc) =>
    p.out.filter((l) => !/^(checkpoint|resumed) /.test(l)).map((l) =>
      l.replace(/ (rate|heap|seconds|lag)=\S+/g, "")
    );
  try {
    const whole = live("--file", file);
    assertEquals((await whole.done()).code, 0);
    const first = live("--file", file, "--checkpoint", ckpt, "--every", "100", "--events", "170");
    assertEquals((await first.done()).code, 0);
    assertEquals(first.out.filter((l) => l.startsWith("checkpoint ")), [
      "checkpoint events=100 seq=-1",
      "checkpoint events=170 seq=-1",
    ]);
    const rest = live("--file", file, "--checkpoint", ckpt, "--resume");
    assertEquals((await rest.done()).code, 0);
    assertEquals(rest.out[0], `resumed from ${ckpt} at events=170 seq=-1`);
    assertEquals(report(rest), report(whole));
  } finally {
    await Deno.remove(file);
    await Deno.remove(ckpt).catch(() => {});
  }
});

Deno.test("LiveLearner state resumes exactly (through the checkpoint codec)", () => {
  const rng = new Random(4);
  const readings = Array.from({ length: 300 }, (_, i) => ({
    key: String(i % 3),
    values: [40 + Math.sin(i / 9) + 0.05 * rng.normal(), 20 + 0.05 * rng.normal()],
    label: i === 250 ? 1 : 0,
  }));
  const options = { features: ["h", "t"], hiddenSize: 8, k2: 6, warmup: 10 };
  const a = new LiveLearner(options);
  readings.slice(0, 170).forEach((r) => a.observe(r.key, r.values, r.label));
  const state = decodeValue(JSON.parse(JSON.stringify(encodeValue(a.getState()))));
  const b = new LiveLearner(options, state as ReturnType<LiveLearner["getState"]>);
  try {
    for (const r of readings.slice(170)) {
      const x = a.observe(r.key, r.values, r.label), y = b.observe(r.key, r.values, r.label);
      assertEquals(y, x);
    }
    assertEquals(b.metrics(), a.metrics());
    assertEquals(b.confusion, a.confusion);
    assertEquals(b.getState().series["1"].preq.params, a.getState().series["1"].preq.params);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("LiveLearner flags a spike, and holds its forecast through a lasting shift for at most 'hold' readings", async (t) => {
  const wave = (i: number) => [40 + Math.sin(i / 6), 20 + 0.5 * Math.cos(i / 8)];
  await t.step("a spike is flagged and counted against its label", () => {
    const learner = new LiveLearner({ features: ["h", "t"], hiddenSize: 8, warmup: 20 });
    try {
      for (let i = 0; i < 300; i++) learner.observe("a", wave(i), 0);
      const spike = learner.observe("a", [60, 20], 1);
      assert(spike.flagged && spike.score > 8, `score ${spike.score}`);
      assertEquals(learner.confusion.tp, 1);
      assertEquals(learner.confusion.fn, 0);
    } finally {
      learner.close();
    }
  });
  await t.step("a lasting shift stays flagged for 'hold' readings, then is the new normal", () => {
    const learner = new LiveLearner({ features: ["h", "t"], hiddenSize: 8, warmup: 20, hold: 30 });
    try {
      for (let i = 0; i < 300; i++) learner.observe("a", wave(i), 0);
      const flags = Array.from({ length: 200 }, (_, k) => {
        const [h, tt] = wave(300 + k);
        return learner.observe("a", [h + 25, tt], 1).flagged;
      });
      assert(flags.slice(0, 30).every((f) => f), `first 30: ${flags.slice(0, 30)}`);
      assert(flags.slice(100).every((f) => !f), "adapted after the hold");
    } finally {
      learner.close();
    }
  });
  await t.step("with hold 0 the model learns the shift at once and stops flagging sooner", () => {
    const learner = new LiveLearner({ features: ["h", "t"], hiddenSize: 8, warmup: 20, hold: 0 });
    try {
      for (let i = 0; i < 300; i++) learner.observe("a", wave(i), 0);
      const flags = Array.from({ length: 30 }, (_, k) => {
        const [h, tt] = wave(300 + k);
        return learner.observe("a", [h + 25, tt], 1).flagged;
      });
      assert(flags[0] && flags.filter((f) => f).length < 30, `${flags}`);
    } finally {
      learner.close();
    }
  });
});

Deno.test("live.ts --demo starts the feed server, learns from the sensor data set and reports precision and recall", async () => {
  const p = new Proc([
    "run",
    "--allow-net=127.0.0.1",
    "--allow-run=deno",
    LIVE,
    "--demo",
    "--rate",
    "4000",
    "--events",
    "3000",
    "--show-flags",
    "0",
  ]);
  try {
    assertEquals((await p.done()).code, 0, p.err.join("\n"));
    assertMatch(p.out[0], /^demo: feed server on ws:\/\/127\.0\.0\.1:\d+\/ws replaying 4000 events\/s$/);
    const done = p.out.find((l) => l.startsWith("done: "))!;
    assertEquals(statusOf(done, "events"), 3000);
    assertMatch(done, / series=4 /);
    assert(
      p.out.some((l) =>
        /^anomaly flags vs labels: precision \S+ recall \S+ \(tp=\d+ fp=\d+ fn=\d+ tn=\d+\)$/.test(l)
      ),
    );
    assert(p.out.some((l) => /^ {2}humidity: MAE \d/.test(l)));
  } finally {
    p.kill();
    await p.done();
  }
});

Deno.test("live.ts fails at once, in one line, when its file or checkpoint cannot be used", async (t) => {
  await withTmpDir(async (dir) => {
    const feed = `${dir.path}/feed.ndjson`;
    await Deno.writeTextFile(feed, Array.from({ length: 60 }, (_, i) => READING(i)).join("\n") + "\n");
    const [missing, readOnly, newDir] = await Promise.all([
      liveRun(["--allow-read=."], ["--file", `${dir.path}/nope.ndjson`]),
      liveRun(["--allow-read=."], ["--file", feed, "--checkpoint", `${dir.path}/l.ckpt`]),
      liveRun(["--allow-read=.", "--allow-write=.tmp"], [
        "--file",
        feed,
        "--checkpoint",
        `${dir.path}/a/b/l.ckpt`,
      ]),
    ]);
    await t.step("a missing --file: one line, exit 1, no report", () => {
      assertOneLineError(missing, 1, `cannot read '${dir.path}/nope.ndjson': file not found`);
      assertStrictEquals(missing.stdout, "");
    });
    await t.step("a checkpoint it may not write: one line, exit 1, before learning", () => {
      assertOneLineError(readOnly, 1, `no permission to write the checkpoint '${dir.path}/l.ckpt'`);
      assertStrictEquals(readOnly.stdout, "");
    });
    await t.step("a checkpoint in a missing directory: the directory is created", async () => {
      assertStrictEquals(newDir.code, 0, newDir.stderr);
      assert((await Deno.stat(`${dir.path}/a/b/l.ckpt`)).isFile);
    });
  });
});

Deno.test("live.ts --resume keeps the checkpoint's model settings, and refuses other ones", async (t) => {
  await withTmpDir(async (dir) => {
    const feed = `${dir.path}/feed.ndjson`;
    await Deno.writeTextFile(feed, Array.from({ length: 120 }, (_, i) => READING(i)).join("\n") + "\n");
    const ckpt = `${dir.path}/l.ckpt`;
    const flags = ["--allow-read=.", "--allow-write=.tmp"];
    const model = ["--hidden", "6", "--k2", "5", "--warmup", "10", "--window", "40"];
    const whole = await liveRun(flags, ["--file", feed, ...model]);
    assertStrictEquals(whole.code, 0, whole.stderr);
    const first = await liveRun(flags, ["--file", feed, ...model, "--checkpoint", ckpt, "--events", "70"]);
    assertStrictEquals(first.code, 0, first.stderr);
    const again = await liveRun(flags, ["--file", feed, "--checkpoint", ckpt, "--resume", "--events", "70"]);
    // one writer per checkpoint path: the parallel runs resume copies
    const copies = [`${ckpt}.1`, `${ckpt}.2`, `${ckpt}.3`];
    for (const copy of copies) await Deno.copyFile(ckpt, copy);
    const [other, window, rest] = await Promise.all([
      liveRun(flags, ["--file", feed, "--checkpoint", copies[0], "--resume", "--hidden", "8"]),
      liveRun(flags, ["--file", feed, "--checkpoint", copies[1], "--resume", "--window", "10"]),
      liveRun(flags, ["--file", feed, "--checkpoint", copies[2], "--resume"]),
    ]);
    await t.step("another --hidden or --window is a usage error", () => {
      assertOneLineError(other, 2, "--hidden 8 differs from the checkpoint's 6");
      assertOneLineError(window, 2, "--window 10 differs from the checkpoint's 40");
    });
    await t.step("resumed at --events, it learns nothing more", () => {
      assertStrictEquals(again.code, 0, again.stderr);
      assertStringIncludes(again.stdout, "done: events=70 ");
    });
    await t.step("without the flags, the run continues with the checkpoint's settings", () => {
      assertStrictEquals(rest.code, 0, rest.stderr);
      assertStringIncludes(rest.stdout, "resumed from");
      assertStrictEquals(liveReport(rest).join("\n"), liveReport(whole).join("\n"));
    });
  });
});

Deno.test("live.ts --demo killed during its run leaves no feed server behind", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "--no-prompt", "--allow-net=127.0.0.1", "--allow-run=deno", "live.ts", "--demo"],
    cwd: REPO,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let port = 0;
  try {
    while (port === 0) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`live.ts ended before starting its feed server: ${text}`);
      text += value;
      port = Number(/ws:\/\/127\.0\.0\.1:(\d+)\/ws/.exec(text)?.[1] ?? 0);
    }
  } finally {
    child.kill("SIGKILL");
    await reader.cancel();
    await child.status;
  }
  // the feed server must stop listening soon after its parent is gone
  const deadline = Date.now() + 10_000;
  let listening = true;
  while (listening && Date.now() < deadline) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      await new Promise((r) => setTimeout(r, 100));
    } catch {
      listening = false;
    }
  }
  assertStrictEquals(listening, false, `a feed server still listens on port ${port}`);
});

Deno.test("main.ts live and live.ts are one command: the same run, the same report; --backend js is accepted", async () => {
  await withTmpDir(async (dir) => {
    const feed = `${dir.path}/feed.ndjson`;
    await Deno.writeTextFile(feed, Array.from({ length: 40 }, (_, i) => READING(i)).join("\n") + "\n");
    const args = ["--file", feed, "--events", "30", "--hidden", "4", "--log-every", "10"];
    const [viaMain, viaAlias] = await Promise.all([
      main(["--allow-read=."], ["live", ...args, "--backend", "js"]),
      liveRun(["--allow-read=."], args),
    ]);
    assertEquals([viaMain.code, viaAlias.code], [0, 0], viaMain.stderr + viaAlias.stderr);
    assertEquals(liveReport(viaMain), liveReport(viaAlias));
  });
});
