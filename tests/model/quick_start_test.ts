/**
 * The quick start of docs/model.md, run as written: the test copies its `ts` block into a
 * scratch folder next to a barrel that stands for mod.ts (mod.ts plus the model layer,
 * as the top mod.ts exports them once merged) and runs it with `deno run`.
 */
import { assert, assertEquals } from "@std/assert";
import { withTmpDir } from "../_tmp_dir.ts";

Deno.test("the quick start of docs/model.md trains, saves, reloads and generates in under ten lines", async () => {
  const doc = await Deno.readTextFile(new URL("../../docs/model.md", import.meta.url));
  const block = doc.split("### Quick start")[1].match(/```ts(?: ignore)?\n([\s\S]*?)```/)![1];
  const lines = block.split("\n").filter((line) => line.trim() !== "").length;
  assert(lines < 10, `the quick start has ${lines} lines of code`);
  await withTmpDir(async (scratch) => {
    const root = new URL("../../", import.meta.url).href;
    await Deno.writeTextFile(
      `${scratch.path}/mod.ts`,
      `export * from "${root}mod.ts";\nexport * from "${root}src/model/mod.ts";\n`,
    );
    await Deno.writeTextFile(`${scratch.path}/quick_start.ts`, block);
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read=.", "--allow-write=.", "quick_start.ts"],
      cwd: scratch.path,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(stdout), err = new TextDecoder().decode(stderr);
    assertEquals(code, 0, err);
    assertEquals(out.replace(/\n$/, "").length, 40, out);
    assert((await Deno.stat(`${scratch.path}/model.ckpt`)).size > 0);
  });
});
