/** `main.ts eval` as a real subprocess. */
import { assertStrictEquals, assertStringIncludes } from "@std/assert";
import { withTmpDir } from "../_tmp_dir.ts";
import { assertOneLineError, main, TINY } from "./_support.ts";

Deno.test("eval scores a text with CRLF line ends and names the line of an unknown character", async (t) => {
  await withTmpDir(async (dir) => {
    const ckpt = `${dir.path}/names.ckpt`;
    const flags = ["--allow-read=.", "--allow-write=.tmp"];
    const trained = await main(flags, ["train", ...TINY, "--steps", "2", "--checkpoint", ckpt]);
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
  });
});
