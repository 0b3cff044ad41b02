/** `main.ts`: help, usage errors in one line, and train → sample → eval end to end. */
import { assert, assertMatch, assertNotEquals, assertStrictEquals, assertStringIncludes } from "@std/assert";
import { loadCheckpoint } from "../../src/io/checkpoint/checkpoint.ts";
import { Vocab } from "../../src/io/text/vocab.ts";
import { bitsPerChar } from "../../src/cells/bits_per_char.ts";
import { cli } from "../_cli.ts";
import { withTmpDir } from "../_tmp_dir.ts";
import { assertOneLineError, SMALL, TEXT } from "./_support.ts";

Deno.test("main.ts prints help for itself and each subcommand", async (t) => {
  const runs = await Promise.all(
    [["--help"], ["train", "--help"], ["sample", "-h"], ["eval", "--help"], ["live", "--help"]].map((a) =>
      cli(a)
    ),
  );
  const expected = [
    "Usage: rxrnn <command>",
    "Usage: rxrnn train",
    "Usage: rxrnn sample",
    "Usage: rxrnn eval",
    "main.ts live [source] [options]",
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
  await withTmpDir(async (dir) => {
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
  });
});

Deno.test("train, sample and eval work end to end on a text file", async (t) => {
  await withTmpDir(async (dir) => {
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
      // saves coalesce (one in flight, none queued): each at least a period after the one before
      assertStrictEquals(saved[0], 30);
      assertStrictEquals(saved.at(-1), 100);
      assert(saved.every((s, i) => i === 0 || s - saved[i - 1] >= 30 || s === 100), String(saved));
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
  });
});
