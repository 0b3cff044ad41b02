/**
 * The CLI's habits as real subprocesses: --version, help <command>, "did you mean",
 * --quiet and --json, the last trained model read by sample and eval, --holdout, --valid
 * and --eval-every, --log and `dashboard --log`, and live --log/--dashboard.
 */
import { assert, assertEquals, assertMatch, assertStrictEquals, assertStringIncludes } from "@std/assert";
import { cli, runDeno } from "../_cli.ts";
import { withTmpDir } from "../_tmp_dir.ts";
import { assertOneLineError, READING, REPO, TEXT, TINY } from "./_support.ts";
import { parseMetricsLog } from "../../src/cli/dashboard/metrics.ts";
import type { LiveMetrics, TrainMetrics } from "../../src/cli/dashboard/metrics.ts";

Deno.test("main.ts --version prints deno.json's version", async () => {
  const { version } = JSON.parse(await Deno.readTextFile(`${REPO}deno.json`));
  const r = await cli(["--version"]);
  assertStrictEquals(r.code, 0);
  assertStrictEquals(r.stdout, `rxrnn ${version}\n`);
});

Deno.test("main.ts help <command> prints that command's help, and suggests a near command", async () => {
  const [train, help, dashboard, typo] = await Promise.all([
    cli(["train", "--help"]),
    cli(["help", "train"]),
    cli(["help", "dashboard"]),
    cli(["help", "sampel"]),
  ]);
  assertStrictEquals(help.code, 0);
  assertStrictEquals(help.stdout, train.stdout);
  assertStringIncludes(dashboard.stdout, "Usage: rxrnn dashboard --log FILE");
  assertOneLineError(typo, 2, "help: unknown command 'sampel': did you mean 'sample'?");
  assertOneLineError(await cli(["trian"]), 2, "did you mean 'train'?");
});

Deno.test("an unknown option gets a 'did you mean' from the command's own options", async () => {
  const [train, live] = await Promise.all([cli(["train", "--hiden", "4"]), cli(["live", "--dashbord"])]);
  assertOneLineError(train, 2, "train: Unknown option '--hiden': did you mean --hidden?");
  assertOneLineError(live, 2, "live: Unknown option '--dashbord': did you mean --dashboard?");
  assertOneLineError(await cli(["train", "--quiet", "--json"]), 2, "give --quiet or --json, not both");
  assertOneLineError(await cli(["train", "--holdout", "1"]), 2, "--holdout must be a number in [0, 1)");
});

Deno.test("train --json prints one JSON event per line; --quiet prints nothing; --log writes the metrics", async () => {
  await withTmpDir(async (dir) => {
    const text = `${dir.path}/fox.txt`;
    await Deno.writeTextFile(text, TEXT);
    const common = ["train", "--text", text, "--steps", "40", ...TINY];
    const [json, quiet] = await Promise.all([
      cli([
        ...common,
        "--checkpoint",
        `${dir.path}/j.ckpt`,
        "--json",
        "--eval-every",
        "10",
        "--log",
        `${dir.path}/run.jsonl`,
      ]),
      cli([...common, "--checkpoint", `${dir.path}/q.ckpt`, "--quiet"]),
    ]);
    assertStrictEquals(json.code, 0, json.stderr);
    const events = json.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const names = events.map((e) => e.event);
    assertEquals(names.slice(0, 3), ["data", "model", "log"]);
    assertEquals(names.slice(-3), ["sample", "heldout", "done"]);
    assert(names.filter((n) => n === "heldout").length >= 4, names.join(" "));
    assertStrictEquals(events.at(-1).checkpoint, `${dir.path}/j.ckpt`);
    assertStrictEquals(events.at(-1).step, 40);
    assertStrictEquals(quiet.code, 0, quiet.stderr);
    assertStrictEquals(quiet.stdout, "");
    const log = parseMetricsLog(await Deno.readTextFile(`${dir.path}/run.jsonl`)) as TrainMetrics[];
    assert(log.every((m) => m.kind === "train" && m.step >= 2 && m.step <= 40 && m.gradNorm >= 0));
    const held = log.filter((m) => m.heldOut !== undefined);
    assert(held.length >= 4 && held.every((m) => m.heldOut! > 0 && m.heldOut! < 8), JSON.stringify(held));
    assertStrictEquals(log.at(-1)!.step, 40);
  });
});

Deno.test("train --holdout and --valid change what is held out", async () => {
  await withTmpDir(async (dir) => {
    const text = `${dir.path}/fox.txt`, valid = `${dir.path}/valid.txt`;
    await Deno.writeTextFile(text, TEXT);
    await Deno.writeTextFile(valid, "the lazy fox.\n");
    const common = ["train", "--text", text, "--steps", "10", ...TINY];
    const [half, v, bad] = await Promise.all([
      cli([...common, "--checkpoint", `${dir.path}/h.ckpt`, "--holdout", "0.5"]),
      cli([...common, "--checkpoint", `${dir.path}/v.ckpt`, "--valid", valid]),
      cli([...common, "--checkpoint", `${dir.path}/b.ckpt`, "--valid", text.replace("fox", "none")]),
    ]);
    assertStrictEquals(half.code, 0, half.stderr);
    assertStringIncludes(half.stdout, "the last 50% held out");
    assertMatch(
      half.stdout,
      /held-out: \d\.\d{3} bits\/char on the last 675 characters held out \(674 characters\)/,
    );
    assertStrictEquals(v.code, 0, v.stderr);
    assertMatch(
      v.stdout,
      new RegExp(`held-out: \\d\\.\\d{3} bits/char on '${valid}' \\(validation text\\) \\(13 characters\\)`),
    );
    assertOneLineError(bad, 1, "file not found");
  });
});

Deno.test("sample and eval read the model train wrote last (out/last.json) and name it", async () => {
  await withTmpDir(async (dir) => {
    const cwd = await Deno.realPath(dir.path);
    const flags = ["run", "-q", "--no-prompt", "--allow-read=.", "--allow-write=.", `${REPO}main.ts`];
    await Deno.writeTextFile(`${cwd}/fox.txt`, TEXT);
    const t = await runDeno([
      ...flags,
      "train",
      "--text",
      "fox.txt",
      "--steps",
      "10",
      "--checkpoint",
      "m/a.ckpt",
      ...TINY,
    ], {
      cwd,
    });
    assertStrictEquals(t.code, 0, t.stderr);
    assertStrictEquals(JSON.parse(await Deno.readTextFile(`${cwd}/out/last.json`)).checkpoint, "m/a.ckpt");
    const s = await runDeno([...flags, "sample", "--length", "5"], { cwd });
    assertStrictEquals(s.code, 0, s.stderr);
    assertStrictEquals(s.stderr, "model: m/a.ckpt (the last trained)\n");
    const e = await runDeno([...flags, "eval", "--text", "fox.txt", "--json"], { cwd });
    assertStrictEquals(e.code, 0, e.stderr);
    const result = JSON.parse(e.stdout);
    assertStrictEquals(result.checkpoint, "m/a.ckpt");
    assert(result.bitsPerChar > 0 && result.chars === 1349, e.stdout);
    const q = await runDeno([...flags, "sample", "--length", "5", "--quiet"], { cwd });
    assertStrictEquals(q.stderr, "");
  });
});

Deno.test("dashboard --log serves a metrics log: the history as JSON and over SSE", async () => {
  await withTmpDir(async (dir) => {
    const log = `${dir.path}/run.jsonl`;
    const lines = [1, 2, 3].map((i) =>
      JSON.stringify({
        kind: "train",
        step: i * 10,
        time: i,
        bitsPerChar: 5 - i,
        meanLoss: 3,
        gradNorm: 1,
        stepsPerSecond: 9,
        learningRate: 0.01,
      })
    );
    await Deno.writeTextFile(log, `${lines.join("\n")}\n`);
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-q",
        "--no-prompt",
        "--allow-read=.",
        "--allow-net=127.0.0.1",
        "main.ts",
        "dashboard",
        "--log",
        log,
        "--time",
        "60s",
      ],
      cwd: REPO,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let stdout = "";
    while (!/dashboard: (\S+)\n/.test(stdout)) {
      const { value, done } = await reader.read();
      if (done) break;
      stdout += value;
    }
    try {
      assertStringIncludes(stdout, "(3 points)");
      const url = /dashboard: (\S+)\n/.exec(stdout)![1];
      const history = await (await fetch(new URL("metrics.json", url))).json();
      assertEquals(history.map((m: { step: number }) => m.step), [10, 20, 30]);
    } finally {
      child.kill("SIGINT");
      while (!(await reader.read()).done); // drain stdout: the run prints its last lines after Ctrl-C
      const [status, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
      assertStrictEquals(status.code, 0, stderr);
    }
  });
});

Deno.test("live --log writes forecast against reading per series with the counters; --dashboard prints its URL", async () => {
  await withTmpDir(async (dir) => {
    const feed = `${dir.path}/feed.ndjson`, log = `${dir.path}/live.jsonl`;
    await Deno.writeTextFile(feed, Array.from({ length: 120 }, (_, i) => READING(i)).join("\n") + "\n");
    const r = await runDeno([
      "run",
      "-q",
      "--no-prompt",
      "--allow-read=.",
      `--allow-write=${dir.path}`,
      "--allow-net=127.0.0.1",
      "main.ts",
      "live",
      "--file",
      feed,
      "--log",
      log,
      "--dashboard",
    ], { cwd: REPO });
    assertStrictEquals(r.code, 0, r.stderr);
    assertMatch(r.stdout, /^dashboard: http:\/\/127\.0\.0\.1:\d+\/$/m);
    const points = parseMetricsLog(await Deno.readTextFile(log)) as LiveMetrics[];
    const last = points.at(-1)!;
    assertStrictEquals(last.kind, "live");
    assertStrictEquals(last.events, 120);
    assertEquals(last.features, ["humidity", "temperature"]);
    const readings = points.flatMap((p) => p.readings);
    assertStrictEquals(readings.length, 120);
    assertEquals(new Set(readings.map((x) => x.key)), new Set(["1", "2"]));
    assert(readings.slice(2).every((x) => x.forecast !== null && x.forecast.length === 2));
  });
});
