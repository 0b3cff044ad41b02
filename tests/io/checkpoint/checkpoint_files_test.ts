import { assert, assertEquals, assertRejects, assertStrictEquals, assertStringIncludes } from "@std/assert";
import { initParams } from "../../../mod.ts";
import { CheckpointError, loadCheckpoint, saveCheckpoint } from "../../../src/io/checkpoint/checkpoint.ts";
import type { CheckpointData } from "../../../src/io/checkpoint/checkpoint.ts";
import { Vocab } from "../../../src/io/text/vocab.ts";
import { withTmpDir } from "../../_tmp_dir.ts";
import { symlink } from "../../_symlink.ts";

const vocab = Vocab.fromText("abc");
const DATA: CheckpointData = {
  config: { sizes: { nx: 4, na: 3, ny: 4 }, streams: 1, seed: 1 },
  vocab: vocab.toData(),
  params: initParams({ nx: 4, na: 3, ny: 4 }, { seed: 1 }),
};

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) out.push(entry.name);
  return out.sort();
}

Deno.test("loadCheckpoint() checks the header and the file's size before reading the payload", async (t) => {
  await withTmpDir(async (dir) => {
    const path = `${dir.path}/model.ckpt`;
    const written = await saveCheckpoint(path, DATA);
    await t.step(
      "a file far larger than its header says is refused at once, without reading it",
      async () => {
        const huge = `${dir.path}/huge.ckpt`;
        await Deno.copyFile(path, huge);
        await Deno.truncate(huge, 2_000_000_000); // sparse: 2 GB of zeros after a valid checkpoint
        const before = Deno.memoryUsage().rss;
        const error = await loadCheckpoint(huge).catch((e) => e);
        const grew = Deno.memoryUsage().rss - before;
        assert(error instanceof CheckpointError, String(error));
        assertStringIncludes(error.message, `the file has 2000000000 bytes but its header says ${written})`);
        assert(grew < 200e6, `memory grew by ${grew} bytes`);
      },
    );
    await t.step("a 2 GB sparse file of zeros is not a checkpoint, found from its first bytes", async () => {
      const zeros = `${dir.path}/zeros.ckpt`;
      await Deno.writeFile(zeros, new Uint8Array(0));
      await Deno.truncate(zeros, 2_000_000_000);
      const before = Deno.memoryUsage().rss;
      const error = await loadCheckpoint(zeros).catch((e) => e);
      assert(Deno.memoryUsage().rss - before < 200e6, "memory stays flat");
      assertStringIncludes(error.message, "not an rxrnn checkpoint");
    });
    await t.step("a payload over maxBytes is refused from the header", async () => {
      await assertRejects(
        () => loadCheckpoint(path, { maxBytes: 100 }),
        CheckpointError,
        "larger than the limit of 100 bytes",
      );
    });
  });
});

Deno.test("saveCheckpoint() never writes through a symlink and leaves no temporary file", async (t) => {
  await withTmpDir(async (dir) => {
    const path = `${dir.path}/model.ckpt`;
    const outside = `${dir.path}/outside.txt`;
    await Deno.writeTextFile(outside, "precious");
    await t.step(
      "a symlink at <checkpoint>.tmp is left alone: the outside file is not overwritten",
      async () => {
        await symlink(outside, `${path}.tmp`);
        await saveCheckpoint(path, DATA);
        assertStrictEquals(await Deno.readTextFile(outside), "precious");
        assert((await Deno.lstat(path)).isFile);
        await loadCheckpoint(path);
      },
    );
    await t.step("a symlink at the checkpoint path is refused with one line", async () => {
      const link = `${dir.path}/link.ckpt`;
      await symlink(outside, link);
      const error = await saveCheckpoint(link, DATA).catch((e) => e);
      assert(error instanceof CheckpointError, String(error));
      assertStringIncludes(error.message, "is a symbolic link");
      assert(!error.message.includes("\n"));
      assertStrictEquals(await Deno.readTextFile(outside), "precious");
    });
    await t.step("no temporary file is left after saves, nor after a failed save", async () => {
      const sub = `${dir.path}/clean`;
      await Deno.mkdir(sub);
      for (let i = 0; i < 3; i++) await saveCheckpoint(`${sub}/m.ckpt`, DATA);
      await assertRejects(
        () => saveCheckpoint(`${sub}/m.ckpt`, { ...DATA, extra: { bad: () => 1 } }),
        TypeError,
      );
      assertEquals(await names(sub), ["m.ckpt"]);
    });
  });
});
