/** `main.ts train --cell --layers --embed` as a real subprocess: the cell is in the checkpoint, `sample` and `eval` read it, a resume keeps it. */
import { assertEquals, assertMatch, assertStrictEquals, assertStringIncludes } from "@std/assert";
import { loadCheckpoint } from "../../src/io/checkpoint/checkpoint.ts";
import { cli } from "../_cli.ts";
import { withTmpDir } from "../_tmp_dir.ts";
import { assertOneLineError } from "./_support.ts";

const RUN = ["--streams", "2", "--k1", "3", "--k2", "5", "--sample-every", "0"];

Deno.test("train --cell gru --layers 6,6 --embed 3 trains a stacked GRU that sample, eval and --resume read from the checkpoint", async (t) => {
  await withTmpDir(async (dir) => {
    const path = `${dir.path}/gru.ckpt`;
    const first = await cli([
      "train",
      "--cell",
      "gru",
      "--layers",
      "6,6",
      "--embed",
      "3",
      "--steps",
      "30",
      "--checkpoint",
      path,
      ...RUN,
    ]);
    await t.step("the run names the cell and writes its spec", async () => {
      assertStrictEquals(first.code, 0, first.stderr);
      assertStringIncludes(first.stdout, "28 chars → embed 3 → gru 6, 6 → 28");
      assertMatch(first.stdout, /^held-out: \d\.\d{3} bits\/char/m);
      const saved = await loadCheckpoint(path);
      assertEquals(saved.cell.spec(), {
        kind: "stack",
        head: "softmax",
        layers: [{ cell: "gru", size: 6 }, { cell: "gru", size: 6 }],
        embed: 3,
      });
      assertEquals(saved.config.sizes.na, 6);
      assertEquals([saved.config.cell, saved.config.layers, saved.config.embed], ["gru", [6, 6], 3]);
    });
    await t.step("sample and eval run the checkpoint's cell", async () => {
      const s = await cli(["sample", "--checkpoint", path, "--length", "20", "--seed", "1"]);
      assertStrictEquals(s.code, 0, s.stderr);
      const e = await cli(["eval", "--checkpoint", path, "--text", "-"], "emma\nolivia\n");
      assertStrictEquals(e.code, 0, e.stderr);
      assertMatch(e.stdout, /^\d\.\d{4} bits\/char on 12 characters \(lines mode\)/);
    });
    await t.step(
      "--resume keeps the cell; a --cell, --layers or --embed that differs is one line, exit 2",
      async () => {
        assertOneLineError(
          await cli(["train", "--resume", path, "--cell", "lstm", "--steps", "3"]),
          2,
          "--cell lstm differs from the checkpoint's gru (a resumed run keeps its cell)",
        );
        assertOneLineError(
          await cli(["train", "--resume", path, "--layers", "6", "--steps", "3"]),
          2,
          "--layers 6 differs from the checkpoint's 6,6",
        );
        assertOneLineError(
          await cli(["train", "--resume", path, "--embed", "4", "--steps", "3"]),
          2,
          "--embed 4 differs from the checkpoint's 3",
        );
        const r = await cli(["train", "--resume", path, "--cell", "gru", "--layers", "6,6", "--steps", "6"]);
        assertStrictEquals(r.code, 0, r.stderr);
        assertStringIncludes(r.stdout, `checkpoint: ${path} (step 36)`);
      },
    );
  });
});

Deno.test("train --cell, --layers and --embed with a bad value are usage errors naming it (exit 2)", async (t) => {
  const cases: [string[], string][] = [
    [["--cell", "tanh"], "--cell must be one of rnn, gru, lstm: got 'tanh'"],
    [
      ["--layers", "8,,8"],
      "--layers must be sizes >= 1 separated by commas, such as 128 or 128,128: got '8,,8'",
    ],
    [["--layers", "0"], "got '0'"],
    [["--embed", "0"], "--embed must be an integer >= 1: got '0'"],
    [["--hidden", "16", "--layers", "8,8"], "--hidden 16 differs from the top layer of --layers 8,8"],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" "), async () => {
      assertOneLineError(await cli(["train", ...args, "--steps", "3"]), 2, message);
    });
  }
});
