/**
 * The live command's options `--file` and `--hold` keep their names and meaning (issue 13):
 * parsed by parseLiveArgs(), and a `--file` run in-process learns as a LiveLearner with
 * the same `hold` does on the same readings.
 */
import { assert, assertEquals, assertStrictEquals, assertThrows } from "@std/assert";
import { parseLiveArgs } from "../../src/cli/_live_args.ts";
import { runLive } from "../../src/cli/live.ts";
import { UsageError } from "../../src/cli/_args.ts";
import { LiveLearner } from "../../src/online/live_learner.ts";
import { tmpDir } from "../_tmp_dir.ts";

Deno.test("parseLiveArgs() reads --file PATH [--follow] and --hold N", async (t) => {
  await t.step("--file is a file source, its format from its name; --follow waits for more", () => {
    const ndjson = parseLiveArgs(["--file", "feed.ndjson"])!;
    assertEquals(ndjson.source, { kind: "file", path: "feed.ndjson", follow: false });
    assertStrictEquals(ndjson.format, "ndjson");
    assertEquals(parseLiveArgs(["--file", "a.CSV", "--follow"])!.source, {
      kind: "file",
      path: "a.CSV",
      follow: true,
    });
    assertStrictEquals(parseLiveArgs(["--file", "a.CSV"])!.format, "csv");
    // files are read from their start: no sequence field, and the queue pauses the reader
    assertEquals([ndjson.seq, ndjson.policy], ["", "pause"]);
  });
  await t.step("--hold: 360 by default, any integer >= 0 (0 learns from every reading)", () => {
    assertStrictEquals(parseLiveArgs([])!.hold, 360);
    assertStrictEquals(parseLiveArgs(["--hold", "0"])!.hold, 0);
    assertStrictEquals(parseLiveArgs(["--hold", "25"])!.hold, 25);
  });
  await t.step("bad values are usage errors naming the option", () => {
    for (const bad of ["-1", "2.5", "x"]) {
      const e = assertThrows(() => parseLiveArgs(["--hold", bad]), UsageError);
      assert(e.message.includes("--hold must be an integer >= 0"), e.message);
    }
    assertThrows(() => parseLiveArgs(["--follow"]), UsageError, "--follow needs --file");
    assertThrows(() => parseLiveArgs(["--file", "a", "--url", "ws://h/ws"]), UsageError, "give one source");
  });
});

Deno.test("live --file F --hold N learns as LiveLearner({ hold: N }) on the same readings", async () => {
  // two motes; mote 1's humidity jumps by 15 for good at reading 300 (labelled anomalous for 40 readings)
  const readings = Array.from({ length: 600 }, (_, i) => {
    const mote = 1 + (i % 2), t = Math.floor(i / 2);
    const shifted = mote === 1 && i >= 300;
    return {
      mote_id: mote,
      humidity: 40 + Math.sin(t / 6) + 0.05 * Math.cos(7 * t) + (shifted ? 15 : 0),
      temperature: 20 + 0.5 * Math.cos(t / 9),
      label: shifted && i < 380 ? 1 : 0,
    };
  });
  const dir = await tmpDir();
  try {
    const file = `${dir.path}/feed.ndjson`;
    await Deno.writeTextFile(file, readings.map((r) => JSON.stringify(r)).join("\n") + "\n");
    const flagged: Record<number, number> = {};
    for (const hold of [0, 360]) {
      const out: string[] = [];
      const config = parseLiveArgs([
        "--file",
        file,
        "--hold",
        String(hold),
        "--hidden",
        "4",
        "--warmup",
        "20",
      ])!;
      const code = await runLive({ ...config, logEvery: 1e9 }, { out: (l) => out.push(l), err: () => {} });
      assertStrictEquals(code, 0);
      const learner = new LiveLearner({
        features: ["humidity", "temperature"],
        hiddenSize: 4,
        warmup: 20,
        hold,
      });
      for (const r of readings) learner.observe(String(r.mote_id), [r.humidity, r.temperature], r.label);
      const { tp, fp, fn, tn } = learner.confusion;
      learner.close();
      const reported = out.find((l) => l.startsWith("anomaly flags vs labels:"))!;
      assert(reported.endsWith(`(tp=${tp} fp=${fp} fn=${fn} tn=${tn})`), `hold ${hold}: ${reported}`);
      assert(out.some((l) => l.startsWith("done: events=600 ")), out.join("\n"));
      flagged[hold] = tp + fp;
    }
    // and the setting matters here: held, the lasting shift stays flagged until the series settles;
    // learned from at once, it stops standing out sooner
    assert(flagged[360] > flagged[0] && flagged[0] > 0, JSON.stringify(flagged));
  } finally {
    await dir.dispose();
  }
});
