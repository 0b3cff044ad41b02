import {
  assert,
  assertEquals,
  assertMatch,
  assertNotEquals,
  assertStrictEquals,
  assertStringIncludes,
} from "@std/assert";
import { loadCheckpoint } from "../../src/io/checkpoint/checkpoint.ts";
import { bitsPerChar } from "../../src/cells/bits_per_char.ts";
import { Vocab } from "../../src/io/text/vocab.ts";
import { assertBitEqual } from "../_bit_equal.ts";
import { cli, cliInterrupted } from "../_cli.ts";
import type { CliResult } from "../_cli.ts";
import { tmpDir } from "../_tmp_dir.ts";
import { formatProgress, Progress } from "../../src/cli/_progress.ts";

/** Small, fast settings shared by the training runs. */
const SMALL = ["--hidden", "8", "--streams", "4", "--k1", "5", "--k2", "9", "--sample-every", "0"];
const TEXT = "the quick brown fox jumps over the lazy dog.\n".repeat(30);

function assertOneLineError(r: CliResult, code: number, message: string): void {
  assertStrictEquals(r.code, code, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  assertStrictEquals(lines.length, 1, `one line on stderr: ${JSON.stringify(r.stderr)}`);
  assert(lines[0].startsWith("error: "), lines[0]);
  assertStringIncludes(lines[0], message);
  assert(!/\bat .*:\d+:\d+/.test(r.stderr), "no stack trace");
}

Deno.test("main.ts prints help for itself and each subcommand", async (t) => {
  const runs = await Promise.all(
    [["--help"], ["train", "--help"], ["sample", "-h"], ["eval", "--help"]].map((a) => cli(a)),
  );
  const expected = [
    "Usage: rxrnn <command>",
    "Usage: rxrnn train",
    "Usage: rxrnn sample",
    "Usage: rxrnn eval",
  ];
  for (const [i, r] of runs.entries()) {
    await t.step(expected[i], () => {
      assertStrictEquals(r.code, 0);
      assertStringIncludes(r.stdout, expected[i]);
      assertStrictEquals(r.stderr, "");
    });
  }
});

Deno.test("main.ts rejects bad arguments with one line on stderr and a non-zero exit", async (t) => {
  const dir = await tmpDir();
  try {
    const empty = `${dir.path}/empty.txt`;
    await Deno.writeTextFile(empty, "");
    const cases: [string, string[], number, string, string?][] = [
      ["no command", [], 2, "a command is required"],
      ["unknown command", ["fit"], 2, "unknown command 'fit'"],
      ["unknown flag", ["train", "--bogus"], 2, "train: Unknown option '--bogus'"],
      [
        "a flag without its value",
        ["train", "--steps"],
        2,
        "train: Option '--steps <value>' argument missing",
      ],
      ["a positional argument", ["sample", "extra"], 2, "sample: Unexpected argument 'extra'"],
      ["k2 < k1", ["train", "--k1", "8", "--k2", "4"], 2, "--k2 must be >= --k1: got k2 = 4, k1 = 8"],
      ["a bad number", ["train", "--hidden", "many"], 2, "--hidden must be an integer >= 1: got 'many'"],
      ["a bad duration", ["train", "--time", "soon"], 2, "--time must be a duration > 0"],
      [
        "a bad optimizer",
        ["train", "--optimizer", "lbfgs"],
        2,
        "--optimizer must be one of sgd, adagrad, rmsprop, adam, adamw",
      ],
      [
        "both --text and --dataset",
        ["train", "--text", "a", "--dataset", "names"],
        2,
        "give --dataset or --text, not both",
      ],
      [
        "a missing text file",
        ["train", "--text", `${dir.path}/nope.txt`],
        1,
        `cannot read '${dir.path}/nope.txt': file not found`,
      ],
      ["an empty text file", ["train", "--text", empty, "--checkpoint", `${dir.path}/e.ckpt`], 1, "is empty"],
      [
        "an empty stdin",
        ["train", "--text", "-", "--checkpoint", `${dir.path}/e.ckpt`],
        1,
        "the text '-' is empty",
        "",
      ],
      [
        "a checkpoint outside the allowed paths",
        ["train", "--checkpoint", "elsewhere/x.ckpt"],
        1,
        "elsewhere",
      ],
      ["temperature 0", ["sample", "--temperature", "0"], 2, "--temperature must be a number > 0: got '0'"],
      ["a missing checkpoint", ["sample", "--checkpoint", `${dir.path}/none.ckpt`], 1, "file not found"],
      ["eval without --text", ["eval"], 2, "eval: --text FILE is required"],
    ];
    const results = await Promise.all(cases.map(([, args, , , stdin]) => cli(args, stdin)));
    for (const [i, [name, , code, message]] of cases.entries()) {
      await t.step(name, () => assertOneLineError(results[i], code, message));
    }
  } finally {
    await dir.dispose();
  }
});

Deno.test("train, sample and eval work end to end on a text file", async (t) => {
  const dir = await tmpDir();
  try {
    const text = `${dir.path}/fox.txt`, ckpt = `${dir.path}/fox.ckpt`;
    await Deno.writeTextFile(text, TEXT);
    const r = await cli(["train", "--text", text, "--steps", "200", "--checkpoint", ckpt, ...SMALL]);
    await t.step("train: exit 0, progress, held-out bits/char, the checkpoint's path", async () => {
      assertStrictEquals(r.code, 0, r.stderr);
      assertStrictEquals(r.stderr, "");
      assertStringIncludes(r.stdout, "1,350 characters, 29 distinct");
      assertMatch(
        r.stdout,
        /^step 200 \| [\d,]+ steps\/s \| loss \d\.\d{3} \| \d\.\d{3} bits\/char \| 0:\d\d elapsed/m,
      );
      assertMatch(
        r.stdout,
        /^held-out: \d\.\d{3} bits\/char on the last 135 characters held out \(134 characters\)$/m,
      );
      assertStringIncludes(r.stdout, `checkpoint: ${ckpt} (step 200)`);
      const loaded = await loadCheckpoint(ckpt);
      assertStrictEquals(loaded.trainer?.counters.steps, 200);
      assertStrictEquals(loaded.config.streams, 4);
    });
    await t.step("--every writes checkpoints along the way", async () => {
      const every = await cli([
        "train",
        "--text",
        text,
        "--steps",
        "100",
        "--every",
        "30",
        "--checkpoint",
        `${dir.path}/every.ckpt`,
        ...SMALL,
      ]);
      assertStrictEquals(every.code, 0, every.stderr);
      const saved = [...every.stdout.matchAll(/^checkpoint: .*every\.ckpt \(step (\d+)\)$/gm)].map((m) =>
        Number(m[1])
      );
      assertEquals(saved, [30, 60, 90, 100]);
    });
    await t.step("resume refuses a checkpoint made on other data", async () => {
      const other = `${dir.path}/other.txt`;
      await Deno.writeTextFile(other, [...TEXT].reverse().join(""));
      assertOneLineError(
        await cli([
          "train",
          "--resume",
          ckpt,
          "--text",
          other,
          "--steps",
          "10",
          "--checkpoint",
          `${dir.path}/o.ckpt`,
        ]),
        1,
        `cannot resume from '${ckpt}': it was trained on other data`,
      );
    });
    await t.step("sample: deterministic for a seed, starts with the prime, argmax", async () => {
      const [a, b, c, p, m] = await Promise.all([
        cli(["sample", "--checkpoint", ckpt, "--length", "60", "--seed", "3"]),
        cli(["sample", "--checkpoint", ckpt, "--length", "60", "--seed", "3"]),
        cli(["sample", "--checkpoint", ckpt, "--length", "60", "--seed", "4"]),
        cli(["sample", "--checkpoint", ckpt, "--length", "20", "--prime", "the q", "--temperature", "0.5"]),
        cli(["sample", "--checkpoint", ckpt, "--length", "20", "--argmax"]),
      ]);
      for (const x of [a, b, c, p, m]) assertStrictEquals(x.code, 0, x.stderr);
      assertStrictEquals(a.stdout, b.stdout);
      assertNotEquals(a.stdout, c.stdout);
      assertStrictEquals([...a.stdout.trimEnd()].length <= 60, true);
      assert(p.stdout.startsWith("the q"), p.stdout);
      assertStrictEquals([...p.stdout.replace(/\n$/, "")].length, 25);
      const again = await cli(["sample", "--checkpoint", ckpt, "--length", "20", "--argmax", "--seed", "9"]);
      assertStrictEquals(again.stdout, m.stdout);
    });
    await t.step("sample: a prime with a character the model does not know", async () => {
      assertOneLineError(
        await cli(["sample", "--checkpoint", ckpt, "--prime", "Zebra"]),
        2,
        `--prime has "Z"`,
      );
    });
    await t.step("eval: bits/char as computed in process", async () => {
      const e = await cli(["eval", "--checkpoint", ckpt, "--text", text]);
      assertStrictEquals(e.code, 0, e.stderr);
      const loaded = await loadCheckpoint(ckpt);
      const vocab = Vocab.fromData(loaded.vocab!);
      const { bits, chars } = bitsPerChar(loaded.params!, [vocab.encode(TEXT)]);
      assertStrictEquals(
        e.stdout,
        `${bits.toFixed(4)} bits/char on ${chars.toLocaleString("en-US")} characters (text mode)\n`,
      );
    });
    await t.step("eval: unknown characters are an error, or skipped and counted", async () => {
      const odd = `${dir.path}/odd.txt`;
      await Deno.writeTextFile(odd, "the fox ÿ");
      assertOneLineError(
        await cli(["eval", "--checkpoint", ckpt, "--text", odd]),
        1,
        'character "ÿ" (U+00FF) at position 8',
      );
      const s = await cli(["eval", "--checkpoint", ckpt, "--text", odd, "--skip-unknown"]);
      assertStrictEquals(s.code, 0, s.stderr);
      assertStringIncludes(s.stdout, "1 unknown skipped");
    });
    await t.step("eval: a corrupted checkpoint is one clear error", async () => {
      const bytes = await Deno.readFile(ckpt);
      bytes[bytes.length - 10] ^= 4;
      const bad = `${dir.path}/bad.ckpt`;
      await Deno.writeFile(bad, bytes);
      assertOneLineError(await cli(["eval", "--checkpoint", bad, "--text", text]), 1, "checksum mismatch");
    });
  } finally {
    await dir.dispose();
  }
});

Deno.test("train on the names resumes exactly: N steps, then M more = N + M steps, bit for bit", async (t) => {
  const dir = await tmpDir();
  try {
    const straight = `${dir.path}/straight.ckpt`, split = `${dir.path}/split.ckpt`;
    const [full, first] = await Promise.all([
      cli(["train", "--steps", "150", "--checkpoint", straight, ...SMALL]),
      cli(["train", "--steps", "90", "--checkpoint", split, ...SMALL]),
    ]);
    assertStrictEquals(full.code, 0, full.stderr);
    assertStrictEquals(first.code, 0, first.stderr);
    await t.step("the first run ends at step 90 with samples and held-out bits/char", () => {
      assertStringIncludes(first.stdout, "8,422 names from npm");
      assertMatch(first.stdout, /^samples: .+, .+/m);
      assertMatch(first.stdout, /^held-out: \d\.\d{3} bits\/char on 842 held-out names/m);
      assertStringIncludes(first.stdout, "(step 90)");
    });
    const second = await cli(["train", "--resume", split, "--steps", "60"]);
    await t.step("resume prints where it starts and ends at step 150", () => {
      assertStrictEquals(second.code, 0, second.stderr);
      assertStringIncludes(second.stdout, `resuming from '${split}' at step 90`);
      assertStringIncludes(second.stdout, `checkpoint: ${split} (step 150)`);
    });
    await t.step(
      "parameters, optimizer, hidden state, history and stream position are identical",
      async () => {
        const a = await loadCheckpoint(straight), b = await loadCheckpoint(split);
        assertBitEqual(b.params, a.params, "params");
        assertBitEqual(b.trainer, a.trainer, "trainer");
        assertEquals(b.stream, a.stream);
      },
    );
    await t.step(
      "sample on a names model starts every name from a zero state: argmax repeats one name",
      async () => {
        const r = await cli(["sample", "--checkpoint", split, "--argmax", "--length", "80"]);
        assertStrictEquals(r.code, 0, r.stderr);
        const lines = r.stdout.split("\n").slice(0, -2);
        assert(lines.length >= 2, r.stdout);
        assertStrictEquals(new Set(lines).size, 1, r.stdout);
      },
    );
    await t.step("a resumed run refuses other settings", async () => {
      assertOneLineError(
        await cli(["train", "--resume", split, "--hidden", "16"]),
        2,
        "--hidden 16 differs from the checkpoint's 8",
      );
    });
  } finally {
    await dir.dispose();
  }
});

Deno.test("Ctrl-C (SIGINT to a real subprocess) writes a final checkpoint that resumes exactly", async () => {
  const dir = await tmpDir();
  try {
    const stopped = `${dir.path}/stopped.ckpt`, straight = `${dir.path}/straight.ckpt`;
    const r = await cliInterrupted(
      ["train", "--time", "10m", "--checkpoint", stopped, "--log-every", "0.05", ...SMALL],
      "\nstep ",
    );
    assertStrictEquals(r.code, 0, r.stderr);
    const match = /^stopped by Ctrl-C at step ([\d,]+)$/m.exec(r.stdout);
    assert(match !== null, r.stdout);
    const n = Number(match[1].replaceAll(",", ""));
    assertStrictEquals(n % 5, 0);
    assertStringIncludes(r.stdout, `checkpoint: ${stopped} (step ${match[1]})`);
    const saved = await loadCheckpoint(stopped);
    assertStrictEquals(saved.trainer?.counters.steps, n);
    const [resumed, full] = await Promise.all([
      cli(["train", "--resume", stopped, "--steps", "40"]),
      cli(["train", "--steps", String(n + 40), "--checkpoint", straight, ...SMALL]),
    ]);
    assertStrictEquals(resumed.code, 0, resumed.stderr);
    assertStrictEquals(full.code, 0, full.stderr);
    const a = await loadCheckpoint(straight), b = await loadCheckpoint(stopped);
    assertBitEqual(b.params, a.params, "params");
    assertBitEqual(b.trainer, a.trainer, "trainer");
  } finally {
    await dir.dispose();
  }
});

Deno.test("Progress redraws one line on a terminal and logs lines every few seconds otherwise", async (t) => {
  const info = {
    step: 12345,
    stepsPerSecond: 2345.4,
    smoothLoss: Math.LN2 * 1.5,
    elapsed: 72,
    remaining: 3700,
  };
  await t.step("formatProgress()", () => {
    assertStrictEquals(
      formatProgress(info),
      "step 12,345 | 2,345 steps/s | loss 1.040 | 1.500 bits/char | 1:12 elapsed | 1:01:40 left",
    );
    assertStrictEquals(
      formatProgress({ ...info, smoothLoss: NaN, remaining: null }).includes("loss - | - bits/char"),
      true,
    );
  });
  await t.step("terminal: \\r redraws, printed lines go above the live line", () => {
    let text = "", now = 0;
    const p = new Progress({ terminal: true, write: (s) => text += s, now: () => now });
    p.update(info);
    now = 0.05;
    p.update({ ...info, step: 2 }); // within the redraw period: not drawn
    p.print("samples: a, b");
    now = 1;
    p.update({ ...info, step: 3 });
    p.finish();
    p.finish();
    const lines = text.split("\n");
    assertStrictEquals(lines.length, 3);
    assert(
      lines[0].startsWith("\rstep 12,345") && lines[0].endsWith("\r\x1b[Ksamples: a, b"),
      JSON.stringify(lines[0]),
    );
    assert(lines[1].startsWith("step 2 |") && lines[1].includes("\rstep 3 |"), JSON.stringify(lines[1]));
    assertStrictEquals(lines[2], "");
  });
  await t.step("not a terminal: a plain line per period, and the last numbers at the end", () => {
    let text = "", now = 0;
    const p = new Progress({ terminal: false, write: (s) => text += s, logEvery: 5, now: () => now });
    for (let k = 0; k <= 12; k++) {
      now = k;
      p.update({ ...info, step: k });
    }
    p.finish();
    p.finish();
    assertEquals(text.split("\n").filter((l) => l).map((l) => l.split(" |")[0]), [
      "step 0",
      "step 5",
      "step 10",
      "step 12",
    ]);
    assert(!text.includes("\r") && !text.includes("\x1b"));
  });
});
