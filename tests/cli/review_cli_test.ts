/**
 * Regression tests from a review of the command-line programs as a first-time user:
 * main.ts, live.ts and tools/feed_server.ts run as real subprocesses (127.0.0.1 only,
 * scratch files under .tmp/, every process awaited).
 */
import { assert, assertStrictEquals, assertStringIncludes } from "@std/assert";
import { from, lastValueFrom, map } from "rxjs";
import { saveCheckpoint } from "../../src/io/checkpoint/checkpoint.ts";
import { train } from "../../src/stream/train.ts";
import { Vocab } from "../../src/io/text/vocab.ts";
import { tmpDir } from "../_tmp_dir.ts";
import { runDeno } from "../_cli.ts";
import type { CliResult } from "../_cli.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const SMALL = ["--hidden", "4", "--streams", "2", "--k1", "2", "--k2", "3", "--sample-every", "0"];

/** Runs `deno <args>` in the repository with stdin closed (or fed `stdin`) and returns what it did. */
const run = (args: readonly string[], stdin?: string): Promise<CliResult> =>
  runDeno(args, { cwd: ROOT, stdin });

const main = (flags: string[], args: string[], stdin?: string) =>
  run(["run", "-q", "--no-prompt", ...flags, "main.ts", ...args], stdin);

function assertOneLineError(r: CliResult, code: number, message: string): void {
  assertStrictEquals(r.code, code, `exit code (stdout: ${r.stdout}, stderr: ${r.stderr})`);
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  assertStrictEquals(lines.length, 1, `one line on stderr: ${JSON.stringify(r.stderr)}`);
  assert(lines[0].startsWith("error: "), lines[0]);
  assertStringIncludes(lines[0], message);
  assert(!/\bat .*:\d+:\d+/.test(r.stderr), "no stack trace");
}

Deno.test("main.ts and live.ts take negative numbers as option values", async (t) => {
  const dir = await tmpDir();
  try {
    const ckpt = `${dir.path}/neg.ckpt`;
    const [seed, k1, lr] = await Promise.all([
      main(["--allow-read=.", "--allow-write=.tmp"], [
        "train",
        ...SMALL,
        "--steps",
        "2",
        "--seed",
        "-3",
        "--checkpoint",
        ckpt,
      ]),
      main(["--allow-read=.", "--allow-write=.tmp"], ["train", "--k1", "-1"]),
      run(["run", "-q", "--no-prompt", "live.ts", "--lr", "-0.1"]),
    ]);
    await t.step("train --seed -3 is a seed", () => {
      assertStrictEquals(seed.code, 0, seed.stderr);
      assertStringIncludes(seed.stdout, "seed -3");
    });
    await t.step("train --k1 -1 is out of range, not 'ambiguous'", () => {
      assertOneLineError(k1, 2, "--k1 must be an integer >= 1: got '-1'");
    });
    await t.step("live.ts --lr -0.1 is out of range, not 'ambiguous'", () => {
      assertOneLineError(lr, 2, "--lr must be a number >= 0: got '-0.1'");
    });
  } finally {
    await dir.dispose();
  }
});

Deno.test("eval scores a text with CRLF line ends and names the line of an unknown character", async (t) => {
  const dir = await tmpDir();
  try {
    const ckpt = `${dir.path}/names.ckpt`;
    const flags = ["--allow-read=.", "--allow-write=.tmp"];
    const trained = await main(flags, ["train", ...SMALL, "--steps", "2", "--checkpoint", ckpt]);
    assertStrictEquals(trained.code, 0, trained.stderr);
    const evalOf = (text: string) => main(flags, ["eval", "--checkpoint", ckpt, "--text", "-"], text);
    const [lf, crlf, unknown] = await Promise.all([
      evalOf("emma\nolivia\n"),
      evalOf("emma\r\nolivia\r\n"),
      evalOf("emma\nolivia\nzo#e\n"),
    ]);
    const long = await evalOf(`${"a".repeat(300_000)}\n`);
    await t.step("lines mode: CRLF line ends score as LF ones", () => {
      assertStrictEquals(crlf.code, 0, crlf.stderr);
      assertStrictEquals(crlf.stdout, lf.stdout);
    });
    await t.step("lines mode: an unknown character is located by line and column", () => {
      assertOneLineError(unknown, 1, `character "#" (U+0023) at line 3, column 3`);
    });
    await t.step("lines mode: a line of 300,000 characters is scored", () => {
      assertStrictEquals(long.code, 0, long.stderr);
      assertStringIncludes(long.stdout, "bits/char on 300,001 characters (lines mode)");
    });
  } finally {
    await dir.dispose();
  }
});

Deno.test("train --checkpoint naming a directory says so, with the README's narrow permissions", async () => {
  const dir = await tmpDir();
  try {
    const r = await main([`--allow-read=${dir.path}`, `--allow-write=${dir.path}`], [
      "train",
      "--steps",
      "2",
      "--checkpoint",
      dir.path,
    ]);
    assertOneLineError(r, 2, `--checkpoint '${dir.path}' is a directory`);
  } finally {
    await dir.dispose();
  }
});

const liveRun = (flags: string[], args: string[]) =>
  run(["run", "-q", "--no-prompt", ...flags, "live.ts", ...args]);

const READING = (i: number) =>
  JSON.stringify({
    mote_id: 1 + (i % 2),
    humidity: 40 + Math.sin(i / 5),
    temperature: 20 + Math.cos(i / 7),
    label: 0,
  });

/** The live report without its timing fields and checkpoint lines. */
const liveReport = (r: CliResult) =>
  r.stdout.split("\n").filter((l) => !/^(checkpoint|resumed) /.test(l)).map((l) =>
    l.replace(/ (rate|heap|seconds|lag)=\S+/g, "")
  );

Deno.test("live.ts fails at once, in one line, when its file or checkpoint cannot be used", async (t) => {
  const dir = await tmpDir();
  try {
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
  } finally {
    await dir.dispose();
  }
});

Deno.test("live.ts --resume keeps the checkpoint's model settings, and refuses other ones", async (t) => {
  const dir = await tmpDir();
  try {
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
    const [other, window, rest] = await Promise.all([
      liveRun(flags, ["--file", feed, "--checkpoint", ckpt, "--resume", "--hidden", "8"]),
      liveRun(flags, ["--file", feed, "--checkpoint", ckpt, "--resume", "--window", "10"]),
      liveRun(flags, ["--file", feed, "--checkpoint", ckpt, "--resume"]),
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
  } finally {
    await dir.dispose();
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

Deno.test("a fresh run never destroys an earlier run's checkpoint at its path: it is kept as .bak", async (t) => {
  const dir = await tmpDir();
  try {
    const flags = ["--allow-read=.", "--allow-write=.tmp"];
    const ckpt = `${dir.path}/names.ckpt`;
    const first = await main(flags, ["train", ...SMALL, "--steps", "4", "--checkpoint", ckpt]);
    assertStrictEquals(first.code, 0, first.stderr);
    const earlier = await Deno.readFile(ckpt);
    const second = await main(flags, [
      "train",
      ...SMALL,
      "--steps",
      "2",
      "--seed",
      "9",
      "--checkpoint",
      ckpt,
    ]);
    await t.step("train", async () => {
      assertStrictEquals(second.code, 0, second.stderr);
      assertStringIncludes(second.stdout, `the earlier checkpoint is kept as '${ckpt}.bak'`);
      assertStrictEquals((await Deno.readFile(`${ckpt}.bak`)).join(), earlier.join());
    });
    const feed = `${dir.path}/feed.ndjson`;
    await Deno.writeTextFile(feed, Array.from({ length: 30 }, (_, i) => READING(i)).join("\n") + "\n");
    const live = `${dir.path}/live.ckpt`;
    const one = await liveRun(flags, ["--file", feed, "--checkpoint", live, "--events", "20"]);
    assertStrictEquals(one.code, 0, one.stderr);
    const liveEarlier = await Deno.readFile(live);
    const two = await liveRun(flags, ["--file", feed, "--checkpoint", live, "--events", "10"]);
    await t.step("live.ts", async () => {
      assertStrictEquals(two.code, 0, two.stderr);
      assertStringIncludes(two.stdout, `the earlier checkpoint is kept as '${live}.bak'`);
      assertStrictEquals((await Deno.readFile(`${live}.bak`)).join(), liveEarlier.join());
    });
  } finally {
    await dir.dispose();
  }
});

Deno.test("live.ts --demo killed during its run leaves no feed server behind", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "--no-prompt", "--allow-net=127.0.0.1", "--allow-run=deno", "live.ts", "--demo"],
    cwd: ROOT,
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

Deno.test("train --resume of a checkpoint written by the library (no run settings) is one clear error", async () => {
  const dir = await tmpDir();
  try {
    const vocab = Vocab.fromText("abc");
    const samples = Array.from({ length: 10 }, (_, i) => ({
      x: Int32Array.of(1 + (i % 3)),
      y: Int32Array.of(1 + ((i + 1) % 3)),
    }));
    const snapshot = await lastValueFrom(
      from(samples).pipe(train({ sizes: { nx: 4, na: 3, ny: 4 }, k1: 5, seed: 1 }), map((e) => e.snapshot())),
    );
    const ckpt = `${dir.path}/lib.ckpt`;
    await saveCheckpoint(ckpt, {
      config: { sizes: { nx: 4, na: 3, ny: 4 }, streams: 1, seed: 1 },
      vocab: vocab.toData(),
      params: snapshot.params,
      trainer: snapshot,
    });
    const r = await main(["--allow-read=.", "--allow-write=.tmp"], [
      "train",
      "--resume",
      ckpt,
      "--steps",
      "5",
    ]);
    assertOneLineError(r, 1, `cannot resume from '${ckpt}': it was not written by 'train'`);
  } finally {
    await dir.dispose();
  }
});

Deno.test("train stopped by SIGTERM (timeout, a service manager) saves its checkpoint like Ctrl-C", async () => {
  const dir = await tmpDir();
  try {
    const ckpt = `${dir.path}/term.ckpt`;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-q",
        "--no-prompt",
        "--allow-read=.",
        "--allow-write=.tmp",
        "main.ts",
        "train",
        ...SMALL,
        "--time",
        "60s",
        "--log-every",
        "0.1",
        "--checkpoint",
        ckpt,
      ],
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    let stdout = "", sent = false;
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      stdout += chunk;
      if (!sent && /^step /m.test(stdout)) {
        child.kill("SIGTERM");
        sent = true;
      }
    }
    const { code } = await child.status;
    assertStrictEquals(code, 0, await stderr);
    assertStringIncludes(stdout, "stopped by SIGTERM at step ");
    assert((await Deno.stat(ckpt)).isFile);
  } finally {
    await dir.dispose();
  }
});
