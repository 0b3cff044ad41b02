/** Text inputs of `train --text` and `eval --text` as a real subprocess: UTF-8 only, a capped vocabulary. */
import { assertStrictEquals, assertStringIncludes } from "@std/assert";
import { withTmpDir } from "../_tmp_dir.ts";
import { Random } from "../../mod.ts";
import { assertOneLineError, main, TEXT, TINY } from "./_support.ts";

const FLAGS = ["--allow-read=.", "--allow-write=.tmp"];

Deno.test("train and eval refuse binary or invalid UTF-8 text and cap the vocabulary", async (t) => {
  await withTmpDir(async (dir) => {
    const random = new Random(7);
    const noise = Uint8Array.from({ length: 1 << 20 }, () => Math.floor(random.next() * 256));
    const binary = `${dir.path}/noise.bin`, bad = `${dir.path}/bad.txt`, fox = `${dir.path}/fox.txt`;
    await Deno.writeFile(binary, noise);
    await Deno.writeFile(bad, new Uint8Array([...new TextEncoder().encode("the fox"), 0xff, 0x41]));
    await Deno.writeTextFile(fox, TEXT);
    const ckpt = `${dir.path}/m.ckpt`;
    await t.step("train --text on invalid UTF-8: one line naming the byte offset", async () => {
      const r = await main(FLAGS, ["train", "--text", bad, ...TINY, "--steps", "2", "--checkpoint", ckpt]);
      assertOneLineError(r, 1, "invalid UTF-8 (byte 0xff) at byte offset 7");
    });
    await t.step("train --text on 1 MB of random bytes: refused, nothing written", async () => {
      const r = await main(FLAGS, ["train", "--text", binary, ...TINY, "--steps", "2", "--checkpoint", ckpt]);
      assertOneLineError(r, 1, "is not UTF-8 text");
      assertStrictEquals(await Deno.stat(ckpt).then(() => true, () => false), false);
    });
    await t.step("--lossy accepts it, and the vocabulary cap refuses 1 MB of noise", async () => {
      const r = await main(FLAGS, [
        "train",
        "--text",
        binary,
        "--lossy",
        ...TINY,
        "--steps",
        "2",
        "--checkpoint",
        ckpt,
      ]);
      assertOneLineError(r, 1, "distinct characters, more than --max-vocab 256");
    });
    await t.step("--max-vocab below the text's vocabulary is one clear error", async () => {
      const r = await main(FLAGS, ["train", "--text", fox, "--max-vocab", "5", ...TINY, "--steps", "2"]);
      assertOneLineError(r, 1, "more than --max-vocab 5");
    });
    await t.step("eval --text refuses invalid UTF-8, or scores it with --lossy", async () => {
      const trained = await main(FLAGS, [
        "train",
        "--text",
        fox,
        ...TINY,
        "--steps",
        "2",
        "--checkpoint",
        ckpt,
      ]);
      assertStrictEquals(trained.code, 0, trained.stderr);
      assertOneLineError(
        await main(FLAGS, ["eval", "--checkpoint", ckpt, "--text", bad]),
        1,
        "at byte offset 7",
      );
      const r = await main(FLAGS, ["eval", "--checkpoint", ckpt, "--text", bad, "--lossy", "--skip-unknown"]);
      assertStrictEquals(r.code, 0, r.stderr);
      assertStringIncludes(r.stdout, "bits/char");
    });
  });
});
