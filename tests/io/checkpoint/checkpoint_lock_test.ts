import { assert, assertEquals, assertRejects, assertStrictEquals } from "@std/assert";
import { CheckpointError } from "../../../src/io/checkpoint/checkpoint.ts";
import { lockCheckpoint } from "../../../src/io/checkpoint/checkpoint_lock.ts";
import { withTmpDir } from "../../_tmp_dir.ts";

Deno.test("lockCheckpoint() lets one writer at a time hold a checkpoint path", async (t) => {
  await withTmpDir(async (dir) => {
    const path = `${dir.path}/model.ckpt`;
    await t.step("a second lock on the same path is one clear CheckpointError", async () => {
      const lock = await lockCheckpoint(path);
      await assertRejects(() => lockCheckpoint(path), CheckpointError, "another process is writing");
      lock.release();
      const again = await lockCheckpoint(path);
      again.release();
    });
    await t.step("a lock held by another process is refused, and freed when it dies (kill -9)", async () => {
      const url = new URL("../../../src/io/checkpoint/checkpoint_lock.ts", import.meta.url).href;
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "eval",
          `const { lockCheckpoint } = await import(${JSON.stringify(url)});` +
          `await lockCheckpoint(${
            JSON.stringify(path)
          }); console.log("locked"); setTimeout(() => {}, 60000);`,
        ],
        stdout: "piped",
        stderr: "inherit",
        stdin: "null",
      }).spawn();
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let text = "";
      while (!text.includes("locked")) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
      assert(text.includes("locked"), text);
      await assertRejects(() => lockCheckpoint(path), CheckpointError, "another process is writing");
      child.kill("SIGKILL");
      await child.status;
      await reader.cancel();
      const lock = await lockCheckpoint(path);
      lock.release();
    });
    await t.step("stale temporaries of the path are removed when the lock is taken", async () => {
      await Deno.writeTextFile(`${path}.tmp`, "old");
      await Deno.writeTextFile(`${path}.4242.deadbeef.tmp`, "half a save");
      await Deno.writeTextFile(`${dir.path}/other.ckpt.1.ab.tmp`, "someone else's");
      const lock = await lockCheckpoint(path);
      lock.release();
      const left: string[] = [];
      for await (const e of Deno.readDir(dir.path)) left.push(e.name);
      assertEquals(left.filter((n) => n.endsWith(".tmp")), ["other.ckpt.1.ab.tmp"]);
      assertStrictEquals(left.includes("model.ckpt.lock"), true);
    });
  });
});
